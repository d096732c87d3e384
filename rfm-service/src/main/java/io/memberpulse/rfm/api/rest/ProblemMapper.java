package io.memberpulse.rfm.api.rest;

import io.memberpulse.rfm.domain.InvalidParameterException;
import io.memberpulse.rfm.domain.MemberNotFoundException;
import io.memberpulse.rfm.domain.UnknownSegmentException;
import io.memberpulse.rfm.domain.UnknownStoreException;
import jakarta.ws.rs.core.Response;
import java.util.List;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Errors of this service as RFC 9457 problem documents, once for every resource. */
class ProblemMapper {
    private static final String PROBLEM_JSON = "application/problem+json";

    record FieldError(String field, String reason) {
    }

    /** Where in a rule the error is (1-based). */
    record RuleError(String field, int line, int column, String reason) {
    }

    record RuleProblem(String type, String title, int status, String detail, List<RuleError> errors) {
    }

    record Problem(String type, String title, int status, String detail, List<FieldError> errors) {
    }

    @ServerExceptionMapper
    Response invalid(InvalidParameterException e) {
        return Response.status(400).type(PROBLEM_JSON).entity(new Problem("about:blank", "Bad Request", 400,
                e.field() + ": " + e.getMessage(), List.of(new FieldError(e.field(), e.getMessage())))).build();
    }

    @ServerExceptionMapper
    Response invalidRule(io.memberpulse.rfm.domain.rules.InvalidRuleException e) {
        String detail = "rule: line " + e.line() + ", column " + e.column() + ": " + e.getMessage();
        return Response.status(400).type(PROBLEM_JSON).entity(new RuleProblem("about:blank", "Bad Request", 400, detail,
                List.of(new RuleError("rule", e.line(), e.column(), e.getMessage())))).build();
    }

    @ServerExceptionMapper
    Response invalidSegment(io.memberpulse.rfm.DefineSegmentService.InvalidSegmentException e) {
        return Response.status(400).type(PROBLEM_JSON).entity(new Problem("about:blank", "Bad Request", 400,
                e.field() + ": " + e.getMessage(), List.of(new FieldError(e.field(), e.getMessage())))).build();
    }

    @ServerExceptionMapper
    Response segmentExists(io.memberpulse.rfm.DefineSegmentService.SegmentExistsException e) {
        return conflict(e.getMessage());
    }

    @ServerExceptionMapper
    Response configuredSegment(io.memberpulse.rfm.DefineSegmentService.ConfiguredSegmentException e) {
        return conflict(e.getMessage());
    }

    @ServerExceptionMapper
    Response notRetunable(io.memberpulse.rfm.DefineSegmentService.NotRetunableException e) {
        return conflict(e.getMessage());
    }

    @ServerExceptionMapper
    Response memberNotFound(MemberNotFoundException e) {
        return notFound(e.getMessage());
    }

    @ServerExceptionMapper
    Response segmentNotFound(UnknownSegmentException e) {
        return notFound(e.getMessage());
    }

    @ServerExceptionMapper
    Response storeNotFound(UnknownStoreException e) {
        return notFound(e.getMessage());
    }

    private static Response conflict(String detail) {
        return Response.status(409).type(PROBLEM_JSON)
                .entity(new Problem("about:blank", "Conflict", 409, detail, List.of())).build();
    }

    private static Response notFound(String detail) {
        return Response.status(404).type(PROBLEM_JSON)
                .entity(new Problem("about:blank", "Not Found", 404, detail, List.of())).build();
    }
}
