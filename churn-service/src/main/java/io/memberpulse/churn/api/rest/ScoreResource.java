package io.memberpulse.churn.api.rest;

import io.memberpulse.churn.ScoreQueryService;
import io.memberpulse.churn.domain.ChurnScore;
import io.memberpulse.churn.domain.InvalidInputException;
import io.memberpulse.churn.domain.RoiCalculator;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.time.Instant;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

@Path("/")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "churn", description = "Churn scores, riskiest members, ROI")
public class ScoreResource {
    static final int MAX_K = 1_000;

    private final ScoreQueryService queries;

    public ScoreResource(ScoreQueryService queries) {
        this.queries = queries;
    }

    public record RoiRequest(Long members, Double riskShare, Double touchCost, Double couponCost, Double winBackUplift,
            Double netValuePerWonBack) {
    }

    public record TotalsResponse(long members, long scored, Instant clock) {
    }

    @GET
    @Path("members/{memberId}/score")
    @Operation(summary = "A member's churn probability over the horizon and what explains it")
    public Uni<ChurnScore> score(@PathParam("memberId") String memberId) {
        return queries.score(memberId);
    }

    @GET
    @Path("stores/{storeId}/top-risk")
    @Operation(summary = "The k members of a store most likely to churn, riskiest first")
    public Uni<List<ChurnScore>> topOfStore(@PathParam("storeId") String storeId, @QueryParam("k") @DefaultValue("10") int k) {
        return queries.top(storeId, checkedK(k));
    }

    @GET
    @Path("scores/top")
    @Operation(summary = "The k members most likely to churn, all stores")
    public Uni<List<ChurnScore>> top(@QueryParam("k") @DefaultValue("10") int k) {
        return queries.top(null, checkedK(k));
    }

    @POST
    @Path("roi")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Cost, gain and ROI of touching the riskiest share of members")
    public RoiCalculator.Result roi(RoiRequest request) {
        if (request == null) {
            throw new InvalidInputException("body", "is required");
        }
        return RoiCalculator.calculate(new RoiCalculator.Inputs(
                required(request.members(), "members"), required(request.riskShare(), "riskShare"),
                orZero(request.touchCost()), orZero(request.couponCost()),
                required(request.winBackUplift(), "winBackUplift"), required(request.netValuePerWonBack(), "netValuePerWonBack")));
    }

    @GET
    @Path("stats")
    @Operation(summary = "Members with purchases, members scored, the event-time clock")
    public Uni<TotalsResponse> stats() {
        return queries.totals().map(t -> new TotalsResponse(t.members(), t.scored(), t.clock()));
    }

    static int checkedK(int k) {
        if (k < 1 || k > MAX_K) {
            throw new InvalidInputException("k", "must be within 1.." + MAX_K);
        }
        return k;
    }

    private static <T> T required(T value, String field) {
        if (value == null) {
            throw new InvalidInputException(field, "is required");
        }
        return value;
    }

    private static double orZero(Double value) {
        return value == null ? 0 : value;
    }
}
