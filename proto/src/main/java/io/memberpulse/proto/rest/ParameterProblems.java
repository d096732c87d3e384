package io.memberpulse.proto.rest;

import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.util.List;
import java.util.Map;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Path and query parameters carrying a control character (U+0000-U+001F, U+007F-U+009F) are refused in every service
 * before a resource reads them, with a 400 problem document naming the parameter as the request spells it.
 * PostgreSQL cannot take a NUL in text (a 500 otherwise, wherever an id reaches a query), and in an id or a code any
 * control character makes an invisible second value. Runs after the resource is matched (its parameters are known)
 * and after the role checks, so an unauthenticated caller still gets its 401.
 */
public class ParameterProblems {
    static final String REASON = "must not contain control characters";

    @ServerRequestFilter
    public Response refuseControlCharacters(UriInfo uri) {
        String field = firstWithControlCharacter(uri.getPathParameters());
        if (field == null) {
            field = firstWithControlCharacter(uri.getQueryParameters());
        }
        if (field == null) {
            return null;
        }
        return Response.status(400).type(ProblemResponses.PROBLEM_JSON).entity(new JsonBodyProblems.Problem(
                "about:blank", "Bad Request", 400, field + ": " + REASON,
                List.of(new JsonBodyProblems.FieldError(field, REASON)))).build();
    }

    /** The first parameter one of whose values holds a control character, or null. */
    static String firstWithControlCharacter(MultivaluedMap<String, String> parameters) {
        for (Map.Entry<String, List<String>> parameter : parameters.entrySet()) {
            for (String value : parameter.getValue()) {
                if (value != null && value.chars().anyMatch(Character::isISOControl)) {
                    return parameter.getKey();
                }
            }
        }
        return null;
    }
}
