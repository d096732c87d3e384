package io.memberpulse.churn.api.rest;

import io.memberpulse.churn.ScoreExplanationService;
import io.memberpulse.churn.ScoreQueryService;
import io.memberpulse.churn.WhatIfRoiService;
import io.memberpulse.churn.domain.ChurnScore;
import io.memberpulse.churn.domain.InvalidInputException;
import io.memberpulse.churn.domain.RoiCalculator;
import io.memberpulse.churn.domain.ScoreExplanation;
import io.memberpulse.churn.domain.WhatIfRoi;
import io.memberpulse.proto.auth.Callers;
import io.memberpulse.proto.auth.Roles;
import io.memberpulse.proto.rest.ProblemResponses;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
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
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponseSchema;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

@Path("/")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "churn", description = "Churn scores, riskiest members, ROI")
@RolesAllowed(Roles.ANALYST)
public class ScoreResource {
    /** Staff are told of another store's member what they are told of an unknown one (ScoreQueryService.scoreFor). */
    private static final String NOT_FOUND = "no score for this member, or (store staff) the member's home store is not "
            + "the store of the token: the same answer";

    private final ScoreQueryService queries;
    private final WhatIfRoiService whatIf;
    private final ScoreExplanationService explanations;

    private final SecurityIdentity caller;

    public ScoreResource(ScoreQueryService queries, WhatIfRoiService whatIf, ScoreExplanationService explanations,
            SecurityIdentity caller) {
        this.queries = queries;
        this.whatIf = whatIf;
        this.explanations = explanations;
        this.caller = caller;
    }

    public record RoiRequest(@Schema(required = true) Long members, @Schema(required = true) Double riskShare,
            Double touchCost, Double couponCost,
            @Schema(required = true, description = "win-back uplift per targeted member, as DOMAIN.md §3 example 1 gives "
                    + "it (0.08: gain = targeted × 0.08 × netValuePerWonBack); GET /roi/what-if's winBackPerChurner is "
                    + "per churner among the targeted instead (winBackUplift / the targeted's churn rate × lift)")
            Double winBackUplift,
            @Schema(required = true) Double netValuePerWonBack) {
    }

    /** model: the promoted version scoring (null: the rhythm baseline); scoredByModel: scores it has made. */
    public record TotalsResponse(long members, long scored, String model, long scoredByModel, Instant clock) {
    }

    @GET
    @Path("members/{memberId}/score")
    @RolesAllowed({Roles.ANALYST, Roles.STAFF})
    @Operation(summary = "A member's churn probability over the horizon and what explains it (store staff: a member "
            + "whose home store is theirs; any other member is a 404, as an unknown one is)")
    @APIResponseSchema(value = ChurnScore.class, responseDescription = "the member's latest churn score")
    @APIResponse(responseCode = "404", description = NOT_FOUND)
    public Uni<ChurnScore> score(@PathParam("memberId") String memberId) {
        return queries.scoreFor(memberId, caller);
    }

    /** Computed on demand (a worker thread: the member's facts are read and the model asked), apart from scoring. */
    @GET
    @Path("members/{memberId}/score/explanation")
    @RolesAllowed({Roles.ANALYST, Roles.STAFF})
    @Operation(summary = "Why the member's score is what it is: the k features (default 5, 1..20) that move the member's "
            + "churn log-odds most, each with its label, the member's value and its contribution (positive raises the "
            + "risk), and the model's base log-odds; exact for a single model, an approximation for a blend (who may "
            + "read it: as for the score)")
    @APIResponseSchema(value = ScoreExplanation.class, responseDescription = "the explanation of the member's latest score")
    @APIResponse(responseCode = "404", description = NOT_FOUND)
    @APIResponse(responseCode = "409", description = "the model version that made the score is no longer stored")
    public ScoreExplanation explanation(@PathParam("memberId") String memberId,
            @Parameter(description = "how many features", schema = @Schema(type = SchemaType.INTEGER, minimum = "1",
                    maximum = "" + ScoreExplanation.MAX_K, defaultValue = "" + ScoreExplanation.DEFAULT_K))
            @QueryParam("k") @DefaultValue("" + ScoreExplanation.DEFAULT_K) String k) {
        return explanations.explain(memberId, QueryNumbers.wholeNumberWithin("k", k, 1, ScoreExplanation.MAX_K), caller);
    }

    @GET
    @Path("stores/{storeId}/top-risk")
    @RolesAllowed({Roles.ANALYST, Roles.STAFF})
    @Operation(summary = "The k members of a store most likely to churn, riskiest first (store staff: their own store)")
    // Declaring the 403 drops the 200 OpenAPI infers from the return type: declared too.
    @APIResponse(responseCode = "200", description = "the store's riskiest members, riskiest first", content = @Content(
            mediaType = MediaType.APPLICATION_JSON, schema = @Schema(type = SchemaType.ARRAY, implementation = ChurnScore.class)))
    @APIResponse(responseCode = "403", description = "a store staff token asking for another store's members (or a "
            + "role that may not ask at all, without a body)", content = @Content(mediaType = ProblemResponses.PROBLEM_JSON,
                    schema = @Schema(ref = ProblemResponses.PROBLEM_SCHEMA)))
    public Uni<List<ChurnScore>> topOfStore(@PathParam("storeId") String storeId,
            @Parameter(description = "how many members", schema = @Schema(type = SchemaType.INTEGER, minimum = "1",
                    maximum = "" + ScoreQueryService.MAX_TOP_K, defaultValue = "" + ScoreQueryService.DEFAULT_TOP_K))
            @QueryParam("k") @DefaultValue("" + ScoreQueryService.DEFAULT_TOP_K) String k) {
        Callers.requireMaySee(caller, storeId);
        return queries.top(storeId, checkedK(k));
    }

    @GET
    @Path("scores/top")
    @Operation(summary = "The k members most likely to churn, all stores")
    public Uni<List<ChurnScore>> top(
            @Parameter(description = "how many members", schema = @Schema(type = SchemaType.INTEGER, minimum = "1",
                    maximum = "" + ScoreQueryService.MAX_TOP_K, defaultValue = "" + ScoreQueryService.DEFAULT_TOP_K))
            @QueryParam("k") @DefaultValue("" + ScoreQueryService.DEFAULT_TOP_K) String k) {
        return queries.top(null, checkedK(k));
    }

    @POST
    @Path("roi")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Cost, gain and ROI of touching the riskiest share of members (DOMAIN.md §3): targeted = "
            + "members × riskShare; cost = targeted × (touchCost + couponCost); gain = targeted × winBackUplift (per "
            + "targeted member) × netValuePerWonBack; ROI = gain / cost")
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
    @Path("roi/what-if")
    @Operation(summary = "What-if ROI from the live model: targeted = members × topShare; expected churners among them = "
            + "targeted × churn rate × lift (the promoted model's lift at topShare measured on its validation window, "
            + "else the rhythm baseline's); won back = those × winBackPerChurner (a rate per churner, not POST /roi's "
            + "per targeted member; winBackPerTargeted in the answer is the equivalent of its winBackUplift); gain = won "
            + "back × netValuePerWonBack; cost = targeted × (touchCost + couponCost); ROI = gain / cost. Random "
            + "targeting (lift 1) alongside")
    public Uni<WhatIfRoi.Result> roiWhatIf(
            @Parameter(required = true, schema = @Schema(type = SchemaType.INTEGER, minimum = "0",
                    maximum = "" + RoiCalculator.MAX_MEMBERS)) @QueryParam("members") String members,
            @Parameter(required = true, schema = @Schema(type = SchemaType.NUMBER, minimum = "0",
                    exclusiveMinimum = true, maximum = "1")) @QueryParam("topShare") String topShare,
            @Parameter(schema = @Schema(type = SchemaType.NUMBER, minimum = "0", maximum = MAX_AMOUNT, defaultValue = "0"))
            @QueryParam("touchCost") String touchCost,
            @Parameter(schema = @Schema(type = SchemaType.NUMBER, minimum = "0", maximum = MAX_AMOUNT, defaultValue = "0"))
            @QueryParam("couponCost") String couponCost,
            @Parameter(required = true, schema = @Schema(type = SchemaType.NUMBER, minimum = "0", maximum = MAX_AMOUNT))
            @QueryParam("netValuePerWonBack") String netValuePerWonBack,
            @Parameter(required = true, description = "share of the targeted churners won back: a rate per churner, so "
                    + "the model's churn rate × lift decides how many are won back. DOMAIN.md example 1 and POST /roi's "
                    + "winBackUplift are per targeted member: winBackPerChurner = winBackUplift / (churn rate × lift) "
                    + "(8% per targeted at churn rate 0.25 and lift 2.1 is 0.152 here)",
                    schema = @Schema(type = SchemaType.NUMBER, minimum = "0", maximum = "1"))
            @QueryParam("winBackPerChurner") String winBackPerChurner,
            @Parameter(hidden = true) @QueryParam("baseWinBack") String renamedBaseWinBack) {
        if (renamedBaseWinBack != null) {
            // refused, not ignored: a client still sending it would otherwise get "winBackPerChurner: is required",
            // or, sending both, a rate it may have meant per targeted member
            throw new InvalidInputException("baseWinBack", "renamed winBackPerChurner (a share of the targeted "
                    + "churners; POST /roi's winBackUplift is per targeted member)");
        }
        WhatIfRoi.Inputs inputs = new WhatIfRoi.Inputs(wholeNumber(members, "members"),
                number(topShare, "topShare", null), number(touchCost, "touchCost", 0.0),
                number(couponCost, "couponCost", 0.0), number(netValuePerWonBack, "netValuePerWonBack", null),
                number(winBackPerChurner, "winBackPerChurner", null));
        return whatIf.whatIf(inputs);
    }

    /** A required query whole number (members: 2.5 is no count of members), within 0..RoiCalculator.MAX_MEMBERS. */
    static long wholeNumber(String text, String field) {
        if (text == null || text.isBlank()) {
            throw new InvalidInputException(field, "is required");
        }
        try {
            long value = Long.parseLong(text.trim());
            if (value >= 0 && value <= RoiCalculator.MAX_MEMBERS) {
                return value;
            }
        } catch (NumberFormatException e) {
            // refused below, as a value out of range is
        }
        throw new InvalidInputException(field, "must be a whole number within 0.." + RoiCalculator.MAX_MEMBERS);
    }

    /** A query number; absent: the fallback, or 400 naming the field when there is none. */
    static double number(String text, String field, Double fallback) {
        if (text == null || text.isBlank()) {
            if (fallback == null) {
                throw new InvalidInputException(field, "is required");
            }
            return fallback;
        }
        try {
            double value = Double.parseDouble(text.trim());
            if (!Double.isFinite(value)) {
                throw new NumberFormatException(text);
            }
            return value;
        } catch (NumberFormatException e) {
            throw new InvalidInputException(field, "must be a number");
        }
    }

    @GET
    @Path("stats")
    @Operation(summary = "Members with purchases, members scored, the promoted model version and how many scores it "
            + "has made (all of them once a promotion has re-scored everyone), the event-time clock")
    public Uni<TotalsResponse> stats() {
        return queries.totals().map(t -> new TotalsResponse(t.members(), t.scored(), t.model(), t.scoredByModel(), t.clock()));
    }

    /** FieldChecks.MAX_AMOUNT as the OpenAPI document's maximum (a double constant reads 1.0E7 in a string). */
    static final String MAX_AMOUNT = "10000000";

    static int checkedK(String text) {
        return QueryNumbers.wholeNumberWithin("k", text, 1, ScoreQueryService.MAX_TOP_K);
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
