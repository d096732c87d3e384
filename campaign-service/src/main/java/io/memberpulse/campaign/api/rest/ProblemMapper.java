package io.memberpulse.campaign.api.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import io.memberpulse.campaign.domain.InvalidArgumentException;
import io.memberpulse.campaign.domain.StoreNotFoundException;
import io.memberpulse.campaign.domain.TaskConflictException;
import io.memberpulse.campaign.domain.TaskNotFoundException;
import io.memberpulse.campaign.domain.TransitionIncompleteException;
import io.memberpulse.proto.rest.FieldNames;
import io.memberpulse.proto.rest.JsonBodyError;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import java.util.List;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Maps the errors of this service to RFC 9457 problem documents, once for every resource. */
class ProblemMapper {
    private static final String PROBLEM_JSON = "application/problem+json";

    record FieldError(String field, String reason) {
    }

    record Problem(String type, String title, int status, String detail, List<FieldError> errors) {
    }

    /** The domain names a field as the wire (protobuf) does, follow_up_date; a REST body spells it followUpDate. */
    @ServerExceptionMapper
    Response invalid(InvalidArgumentException e) {
        String field = FieldNames.asJson(e.field());
        return problem(400, "Bad Request", field + ": " + e.reason(), List.of(new FieldError(field, e.reason())));
    }

    @ServerExceptionMapper
    Response storeNotFound(StoreNotFoundException e) {
        return problem(404, "Not Found", e.getMessage(), List.of());
    }

    @ServerExceptionMapper
    Response campaignNotFound(io.memberpulse.campaign.domain.CampaignNotFoundException e) {
        return problem(404, "Not Found", e.getMessage(), List.of());
    }

    @ServerExceptionMapper
    Response memberNotFound(io.memberpulse.campaign.domain.MemberNotFoundException e) {
        return problem(404, "Not Found", e.getMessage(), List.of());
    }

    @ServerExceptionMapper
    Response taskNotFound(TaskNotFoundException e) {
        return problem(404, "Not Found", e.getMessage(), List.of());
    }

    @ServerExceptionMapper
    Response conflict(TaskConflictException e) {
        return problem(409, "Conflict", e.getMessage(), List.of());
    }

    /** 503: the move is recorded and finishing it may work now; the detail says which state to ask for again. */
    @ServerExceptionMapper
    Response transitionIncomplete(TransitionIncompleteException e) {
        return problem(503, "Service Unavailable", e.getMessage(), List.of());
    }

    @ServerExceptionMapper
    Response malformedJson(JsonProcessingException e) {
        JsonBodyError error = JsonBodyError.of(e);
        return problem(400, "Bad Request", error.detail(), List.of(new FieldError(error.field(), error.reason())));
    }

    /**
     * A value of the wrong kind ({@code "x"} for a number): more specific than Quarkus's own mapper, which answers
     * an empty 400 outside dev mode.
     */
    @ServerExceptionMapper
    Response mismatchedJson(MismatchedInputException e) {
        return malformedJson(e);
    }

    /** Text that is not JSON: Quarkus's body reader wraps Jackson's error in an empty 400; say where it broke. */
    @ServerExceptionMapper
    Response unreadableBody(WebApplicationException e) {
        return e.getCause() instanceof JsonProcessingException json ? malformedJson(json) : e.getResponse();
    }

    private static Response problem(int status, String title, String detail, List<FieldError> errors) {
        return Response.status(status).type(PROBLEM_JSON)
                .entity(new Problem("about:blank", title, status, detail, errors)).build();
    }
}
