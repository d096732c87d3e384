package io.memberpulse.campaign.api.rest;

import io.memberpulse.campaign.domain.CampaignStateConflictException;
import io.memberpulse.campaign.domain.InvalidArgumentException;
import io.memberpulse.campaign.domain.StoreNotFoundException;
import io.memberpulse.campaign.domain.TaskClosedException;
import io.memberpulse.campaign.domain.TaskConflictException;
import io.memberpulse.campaign.domain.TaskNotFoundException;
import io.memberpulse.campaign.domain.TransitionIncompleteException;
import io.memberpulse.proto.rest.FieldNames;
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

    /** 409, as a conflict with the task's state: the task is closed (REST has no separate precondition status here). */
    @ServerExceptionMapper
    Response closed(TaskClosedException e) {
        return problem(409, "Conflict", e.getMessage(), List.of());
    }

    /** 409: the move conflicts with the campaign's state (skips one or goes back); a 400 is a request that is wrong. */
    @ServerExceptionMapper
    Response stateConflict(CampaignStateConflictException e) {
        return problem(409, "Conflict", e.getMessage(), List.of());
    }

    /**
     * 403: reveals are off for the whole deployment, not for this task or caller; no task is looked up, so a 404
     * would tell staff the task is gone and a 409 that its state could change.
     */
    @ServerExceptionMapper
    Response revealOff(io.memberpulse.campaign.domain.ContactRevealDisabledException e) {
        return problem(403, "Forbidden", e.getMessage(), List.of());
    }

    /** 503: the move is recorded and finishing it may work now; the detail says which state to ask for again. */
    @ServerExceptionMapper
    Response transitionIncomplete(TransitionIncompleteException e) {
        return problem(503, "Service Unavailable", e.getMessage(), List.of());
    }

    private static Response problem(int status, String title, String detail, List<FieldError> errors) {
        return Response.status(status).type(PROBLEM_JSON)
                .entity(new Problem("about:blank", title, status, detail, errors)).build();
    }
}
