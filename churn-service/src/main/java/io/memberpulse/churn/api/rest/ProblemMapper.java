package io.memberpulse.churn.api.rest;

import io.memberpulse.churn.domain.ExplanationUnavailableException;
import io.memberpulse.churn.domain.InvalidInputException;
import io.memberpulse.churn.domain.MemberNotFoundException;
import io.memberpulse.churn.domain.NotEnoughDataException;
import io.memberpulse.proto.auth.StoreNotPermittedException;
import io.memberpulse.proto.rest.FieldNames;
import jakarta.ws.rs.core.Response;
import java.util.List;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Errors of this service as RFC 9457 problem documents, once for every resource. */
class ProblemMapper {
    private static final String PROBLEM_JSON = "application/problem+json";

    record FieldError(String field, String reason) {
    }

    record Problem(String type, String title, int status, String detail, List<FieldError> errors) {
    }

    @ServerExceptionMapper
    Response invalid(InvalidInputException e) {
        return badRequest(FieldNames.asJson(e.field()), e.getMessage());
    }

    @ServerExceptionMapper
    Response storeNotPermitted(StoreNotPermittedException e) {
        return problem(403, "Forbidden", e.getMessage()).build();
    }

    @ServerExceptionMapper
    Response notEnoughData(NotEnoughDataException e) {
        return conflict(e.getMessage()).build();
    }

    @ServerExceptionMapper
    Response explanationUnavailable(ExplanationUnavailableException e) {
        return conflict(e.getMessage()).build();
    }

    @ServerExceptionMapper
    Response notFound(MemberNotFoundException e) {
        return notFound(e.getMessage()).build();
    }

    /** 404 with a problem document: what a resource answers for an unknown model version or job. */
    static Response.ResponseBuilder notFound(String detail) {
        return problem(404, "Not Found", detail);
    }

    /** 409 with a problem document: the request is valid, but the state does not allow it yet. */
    static Response.ResponseBuilder conflict(String detail) {
        return problem(409, "Conflict", detail);
    }

    private static Response.ResponseBuilder problem(int status, String title, String detail) {
        return Response.status(status).type(PROBLEM_JSON).entity(new Problem("about:blank", title, status, detail, List.of()));
    }

    private static Response badRequest(String field, String reason) {
        return Response.status(400).type(PROBLEM_JSON).entity(new Problem("about:blank", "Bad Request", 400,
                field + ": " + reason, List.of(new FieldError(field, reason)))).build();
    }
}
