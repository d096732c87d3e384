package io.memberpulse.campaign.api.rest;

import io.memberpulse.campaign.CallListService;
import io.memberpulse.campaign.domain.InvalidArgumentException;
import io.memberpulse.campaign.domain.StoreNotFoundException;
import io.memberpulse.proto.auth.Callers;
import io.memberpulse.proto.auth.Roles;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponseSchema;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Head office reads every store's list; store staff only their own, the store_id claim of their token. */
@Path("/stores/{storeId}/call-list")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "call lists", description = "Who each store should call, overdue first, then largest value at risk")
@RolesAllowed({Roles.ANALYST, Roles.STAFF})
public class CallListResource {
    private final CallListService callLists;
    private final SecurityIdentity caller;

    public CallListResource(CallListService callLists, SecurityIdentity caller) {
        this.callLists = callLists;
        this.caller = caller;
    }

    @GET
    @Operation(summary = "A store's OPEN call tasks, overdue first, then by value at risk (404 for a store no event, "
            + "churn score or segment change has named; store staff: another store's list is a 404 too)")
    @APIResponseSchema(value = CallListResponse.class,
            responseDescription = "today's calls, overdue first, then most value at risk")
    @APIResponse(responseCode = "404",
            description = "no event, churn score or segment change has named this store, or it is not the store of a "
                    + "staff token")
    public Uni<CallListResponse> callList(@PathParam("storeId") String storeId,
            @Parameter(description = "how many tasks at most; absent or 0 = what is left of the store's daily call"
                    + " capacity: the outcomes it recorded today (day-zone) count against it",
                    schema = @Schema(type = SchemaType.INTEGER, minimum = "0"))
            @QueryParam("limit") String limit) {
        if (!Callers.maySee(caller, storeId)) {
            // Answered as for an unknown store, so that staff cannot even learn which other stores exist.
            throw new StoreNotFoundException(storeId);
        }
        return callLists.callList(storeId, parseLimit(limit)).map(RestMapper::toResponse);
    }

    /** Parsed here rather than bound as Integer: JAX-RS answers 404 to an unparsable query parameter. */
    private static int parseLimit(String limit) {
        if (limit == null || limit.isBlank()) {
            return 0;
        }
        try {
            return Integer.parseInt(limit.strip());
        } catch (NumberFormatException e) {
            throw new InvalidArgumentException("limit", "must be a whole number, was '" + limit + "'");
        }
    }
}
