package io.memberpulse.identity.api.rest;

import io.memberpulse.identity.NotWriterException;
import io.memberpulse.identity.api.FieldError;
import io.memberpulse.identity.domain.InvalidIdentifierException;
import io.memberpulse.identity.domain.InvalidSplitException;
import io.memberpulse.identity.domain.MemberMergedAwayException;
import io.memberpulse.identity.domain.MemberNotFoundException;
import io.memberpulse.identity.domain.OrderNotFoundException;
import io.memberpulse.proto.rest.FieldNames;
import jakarta.ws.rs.core.Response;
import java.util.List;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Maps the errors of this service to RFC 9457 problem documents, once for every resource. */
class ProblemMapper {
    private static final String PROBLEM_JSON = "application/problem+json";

    record Problem(String type, String title, int status, String detail, List<FieldError> errors) {
    }

    @ServerExceptionMapper
    Response invalid(InvalidRequestException e) {
        return badRequest(e.getMessage(), e.errors());
    }

    @ServerExceptionMapper
    Response invalidIdentifier(InvalidIdentifierException e) {
        return badRequest(e.field() + ": " + e.getMessage(), List.of(new FieldError(e.field(), e.getMessage())));
    }

    @ServerExceptionMapper
    Response invalidSplit(InvalidSplitException e) {
        String field = FieldNames.asJson(e.field()); // the split body is camel case, unlike the events' CSV names
        return badRequest(field + ": " + e.getMessage(), List.of(new FieldError(field, e.getMessage())));
    }

    @ServerExceptionMapper
    Response mergedAway(MemberMergedAwayException e) {
        return Response.status(409).type(PROBLEM_JSON)
                .entity(new Problem("about:blank", "Conflict", 409, e.getMessage(), List.of())).build();
    }

    /** Not this instance's to write (another holds the writer lock): try the writer, or again later. */
    @ServerExceptionMapper
    Response notWriter(NotWriterException e) {
        return Response.status(503).type(PROBLEM_JSON).header("Retry-After", "10")
                .entity(new Problem("about:blank", "Service Unavailable", 503, e.getMessage(), List.of())).build();
    }

    @ServerExceptionMapper
    Response notFound(MemberNotFoundException e) {
        return notFound(e.getMessage());
    }

    @ServerExceptionMapper
    Response orderNotFound(OrderNotFoundException e) {
        return notFound(e.getMessage());
    }

    private static Response notFound(String detail) {
        return Response.status(404).type(PROBLEM_JSON)
                .entity(new Problem("about:blank", "Not Found", 404, detail, List.of())).build();
    }

    private static Response badRequest(String detail, List<FieldError> errors) {
        return Response.status(400).type(PROBLEM_JSON)
                .entity(new Problem("about:blank", "Bad Request", 400, detail, errors)).build();
    }
}
