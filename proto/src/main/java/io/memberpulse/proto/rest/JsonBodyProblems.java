package io.memberpulse.proto.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import java.util.List;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * A request body that is not the JSON a resource reads, answered the same in every service: a 400 problem document
 * naming the field ({@link JsonBodyError}). Without it, Quarkus's body reader wraps Jackson's parse errors in a
 * bare WebApplicationException, and its own MismatchedInputException mapper answers outside dev mode; both with
 * an empty 400. Every service's REST layer finds these mappers in this jar's index; its own ProblemMapper maps
 * its own errors to the same document.
 */
public class JsonBodyProblems {
    /** One refused field: the shape of every service's problem documents. */
    public record FieldError(String field, String reason) {
    }

    public record Problem(String type, String title, int status, String detail, List<FieldError> errors) {
    }

    @ServerExceptionMapper
    public Response malformedJson(JsonProcessingException e) {
        JsonBodyError error = JsonBodyError.of(e);
        return Response.status(400).type(ProblemResponses.PROBLEM_JSON).entity(new Problem("about:blank", "Bad Request",
                400, error.detail(), List.of(new FieldError(error.field(), error.reason())))).build();
    }

    /** A value of the wrong kind ({@code "x"} for a number): more specific than Quarkus's own mapper. */
    @ServerExceptionMapper
    public Response mismatchedJson(MismatchedInputException e) {
        return malformedJson(e);
    }

    /** Text that is not JSON, as Quarkus's body reader throws it; any other WebApplicationException as it was. */
    @ServerExceptionMapper
    public Response unreadableBody(WebApplicationException e) {
        return e.getCause() instanceof JsonProcessingException json ? malformedJson(json) : e.getResponse();
    }
}
