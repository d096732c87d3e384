package io.memberpulse.proto.rest;

import io.memberpulse.proto.checks.InvalidFieldException;
import jakarta.ws.rs.core.Response;
import java.util.List;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * A value {@link io.memberpulse.proto.checks.FieldChecks} refused, answered the same in every service: a 400 problem
 * document naming the field as the REST body spells it ({@link FieldNames}: {@code follow_up_date} becomes
 * {@code followUpDate}). Found, like {@link JsonBodyProblems}, in this jar's index.
 */
public class FieldProblems {
    @ServerExceptionMapper
    public Response invalidField(InvalidFieldException e) {
        String field = FieldNames.asJson(e.field());
        return Response.status(400).type(ProblemResponses.PROBLEM_JSON).entity(new JsonBodyProblems.Problem("about:blank",
                "Bad Request", 400, field + ": " + e.reason(), List.of(new JsonBodyProblems.FieldError(field, e.reason()))))
                .build();
    }
}
