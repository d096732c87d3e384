package io.memberpulse.campaign.api.rest;

import io.memberpulse.campaign.CampaignStatsService;
import io.memberpulse.proto.auth.Roles;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

@Path("/stats")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "stats")
@RolesAllowed(Roles.ANALYST)
public class StatsResource {
    private final CampaignStatsService stats;

    public StatsResource(CampaignStatsService stats) {
        this.stats = stats;
    }

    @GET
    @Operation(summary = "Totals: scored members, their stores, OPEN call tasks")
    public Uni<StatsResponse> stats() {
        return stats.stats().map(RestMapper::toResponse);
    }
}
