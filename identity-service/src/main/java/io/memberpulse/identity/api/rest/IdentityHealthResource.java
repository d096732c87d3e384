package io.memberpulse.identity.api.rest;

import io.memberpulse.identity.IdentityHealthService;
import io.memberpulse.identity.domain.IdentityHealth;
import io.memberpulse.proto.auth.Roles;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

@RolesAllowed(Roles.ANALYST)
@Path("/health/identity")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "health", description = "Identity health per store and overall")
public class IdentityHealthResource {
    /** The seeds' industry ranges (DOMAIN.md), shown beside each rate. */
    static final Map<String, double[]> INDUSTRY = Map.of(
            "channelCoverageRate", new double[] {0.65, 0.75},
            "memberIdentificationRate", new double[] {0.55, 0.70},
            "orderMatchRate", new double[] {0.60, 0.72},
            "deviceOnlineRate", new double[] {0.92, 0.97});

    private final IdentityHealthService health;

    public IdentityHealthResource(IdentityHealthService health) {
        this.health = health;
    }

    /** A rate beside the seeds' industry range (DOMAIN.md) and where it falls: below, within or above. */
    public record Rate(double value, double industryLow, double industryHigh, String industryPosition) {
        static Rate of(String name, double value) {
            double[] range = INDUSTRY.get(name);
            String position = value < range[0] ? "below" : value > range[1] ? "above" : "within";
            return new Rate(value, range[0], range[1], position);
        }
    }

    public record HealthResponse(String store, Rate channelCoverageRate, Rate memberIdentificationRate,
            Rate orderMatchRate, Rate deviceOnlineRate, IdentityHealth counts) {
    }

    @GET
    @Operation(summary = "Channel coverage, member identification, order match and device online rates "
            + "of one store (store=) or of the chain")
    public Uni<HealthResponse> health(@QueryParam("store") String store) {
        return health.health(store).map(IdentityHealthResource::response);
    }

    @GET
    @Path("stores")
    @Operation(summary = "The four rates of every store, each beside the industry range (also the gauges "
            + "memberpulse_identity_store_health{store,rate})")
    public Uni<List<HealthResponse>> stores() {
        return health.stores().map(all -> all.stream().map(IdentityHealthResource::response).toList());
    }

    private static HealthResponse response(IdentityHealth h) {
        return new HealthResponse(h.storeId() == null ? "all" : h.storeId(),
                Rate.of("channelCoverageRate", h.channelCoverageRate()),
                Rate.of("memberIdentificationRate", h.memberIdentificationRate()),
                Rate.of("orderMatchRate", h.orderMatchRate()),
                Rate.of("deviceOnlineRate", h.deviceOnlineRate()), h);
    }
}
