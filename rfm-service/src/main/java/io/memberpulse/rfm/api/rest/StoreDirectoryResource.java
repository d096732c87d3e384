package io.memberpulse.rfm.api.rest;

import io.memberpulse.proto.auth.Roles;
import io.memberpulse.proto.checks.FieldChecks;
import io.memberpulse.rfm.StoreDirectoryService;
import io.memberpulse.rfm.domain.InvalidParameterException;
import io.memberpulse.rfm.domain.StoreRegion;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Instant;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponseSchema;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** The store directory: each store's region, which the region comparison (GET /dashboard/regions) groups stores by. */
@RolesAllowed(Roles.ANALYST)
@Path("/stores")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "stores", description = "The store directory: the region of each store, for the region comparison")
public class StoreDirectoryResource {
    private final StoreDirectoryService stores;

    public StoreDirectoryResource(StoreDirectoryService stores) {
        this.stores = stores;
    }

    public record RegionRequest(@Schema(required = true) String region) {
    }

    public record StoreResponse(String storeId, String region, Instant updatedAt) {
        static StoreResponse of(StoreRegion.Assigned entry) {
            return new StoreResponse(entry.storeId(), entry.region(), entry.updatedAt());
        }
    }

    @GET
    @Operation(summary = "The store directory: every store given a region, in store id order (a store not listed is "
            + "counted under \"unassigned\" in the region comparison)")
    public Uni<List<StoreResponse>> all() {
        return stores.all().map(entries -> entries.stream().map(StoreResponse::of).toList());
    }

    @PUT
    @Path("{storeId}")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Set a store's region (a store not in the directory is added); the region comparison counts "
            + "the store's orders there from the next call, over any window",
            description = "region: required, not blank, at most " + StoreRegion.MAX_REGION_LENGTH + " characters after "
                    + "surrounding blanks are stripped, no control characters, not \"" + StoreRegion.UNASSIGNED + "\"")
    @APIResponseSchema(value = StoreResponse.class, responseDescription = "the store's entry as stored")
    public Uni<StoreResponse> assign(@PathParam("storeId") String storeId, RegionRequest request) {
        FieldChecks.checkId("storeId", storeId);
        if (request == null) {
            throw new InvalidParameterException("body", "is required");
        }
        return stores.assign(storeId, request.region()).map(StoreResponse::of);
    }

    @DELETE
    @Path("{storeId}")
    @Operation(summary = "Remove a store's entry; the region comparison counts the store's orders under \""
            + StoreRegion.UNASSIGNED + "\" from the next call, over any window")
    @APIResponse(responseCode = "204", description = "removed")
    @APIResponse(responseCode = "404", description = "the store has no entry in the directory")
    public Uni<Response> remove(@PathParam("storeId") String storeId) {
        FieldChecks.checkId("storeId", storeId);
        return stores.remove(storeId).map(removed -> Response.noContent().build());
    }
}
