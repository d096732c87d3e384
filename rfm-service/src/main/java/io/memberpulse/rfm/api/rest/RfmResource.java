package io.memberpulse.rfm.api.rest;

import io.memberpulse.proto.auth.Roles;
import io.memberpulse.proto.checks.FieldChecks;
import io.memberpulse.proto.rest.InstantParameters;
import io.memberpulse.rfm.RfmConfig;
import io.memberpulse.rfm.RfmQueryService;
import io.memberpulse.rfm.domain.InvalidParameterException;
import io.memberpulse.rfm.domain.LifecycleStage;
import io.memberpulse.rfm.domain.ParameterChecks;
import io.memberpulse.rfm.domain.Rfm;
import io.memberpulse.rfm.domain.RfmSnapshot;
import io.memberpulse.rfm.domain.UnknownSegmentException;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.UriInfo;
import java.net.URI;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponseSchema;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestResponse;

@RolesAllowed(Roles.ANALYST)
@Path("/")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "rfm", description = "Members' live RFM and segments")
public class RfmResource {
    /** The most segment members offset skips: PostgreSQL reads each one it skips, so deeper pages go by after=. */
    static final int MAX_OFFSET = 100_000;
    static final int MAX_LIMIT = 10_000;

    private final RfmQueryService queries;
    /** memberpulse.rfm.day-zone: the calendar a date given for an instant (asOf=2011-09-10) starts its day in. */
    private final ZoneId dayZone;

    public RfmResource(RfmQueryService queries, RfmConfig config) {
        this.queries = queries;
        this.dayZone = config.rfm().dayZone();
    }

    public record RfmResponse(Rfm rfm, List<String> segments) {
        static RfmResponse of(RfmSnapshot row) {
            return new RfmResponse(row.rfm(), List.copyOf(row.segments()));
        }
    }

    public record SegmentResponse(String id, String name, String kind, String rule, long size) {
    }

    public record SegmentMemberResponse(String memberId, String homeStoreId, Double recencyDays, int frequency30d,
            double monetaryNet30d) {
    }

    public record TotalsResponse(long members, long purchaseLines, Instant clock) {
    }

    @GET
    @Path("members/{memberId}/rfm")
    @Operation(summary = "A member's RFM and segments: current, or as of asOf, an ISO-8601 instant with offset "
            + "(2011-09-10T00:00:00Z) or a date (2011-09-10: the start of that day in memberpulse.rfm.day-zone, "
            + "Asia/Shanghai by default, as churn-service reads it)")
    @APIResponseSchema(value = RfmResponse.class, responseDescription = "R, F, M, segments and stage as of asOf")
    @APIResponse(responseCode = "404", description = "no purchase or registration known for this member")
    public Uni<RfmResponse> rfm(@PathParam("memberId") String memberId, @QueryParam("asOf") String asOf,
            @Parameter(description = "with asOf: the segment definitions to judge by, current (default: today's rules,"
                    + " thresholds, lifecycle rules and margin rates applied to the past) or asOf (those in force then, by"
                    + " the service's clock at each change: rules, thresholds changed while running, and the configured"
                    + " thresholds, lifecycle rules and margin rates (weighted F, margin M) each start recorded; before the"
                    + " first configuration recorded, the earliest is taken as in force)")
            @QueryParam("definitions") String definitions) {
        FieldChecks.checkId("memberId", memberId);
        boolean definitionsThen = definitionsThen(definitions);
        if (asOf == null || asOf.isBlank()) {
            if (definitions != null) {
                throw new InvalidParameterException("definitions", "applies only with asOf");
            }
            return queries.current(memberId).map(RfmResponse::of);
        }
        return queries.asOf(memberId, InstantParameters.parse("asOf", asOf, dayZone,
                ParameterChecks.EARLIEST_INSTANT, ParameterChecks.LATEST_INSTANT), definitionsThen).map(RfmResponse::of);
    }

    private static boolean definitionsThen(String definitions) {
        if (definitions == null || definitions.equals("current")) {
            return false;
        }
        if (definitions.equals("asOf")) {
            return true;
        }
        throw new InvalidParameterException("definitions", "must be current or asOf, was '" + definitions + "'");
    }

    /**
     * The stage as CEL rules compare it ({@code at_risk}) and, for a link to its members, as its segment id
     * ({@code stage:at-risk}): the two spell it differently, and {@code stage} stays as clients read it already.
     */
    public record ProfileResponse(String memberId,
            @Schema(description = "the lifecycle stage as segment rules compare it: new, growing, loyal, at_risk, dormant "
                    + "(null: neither bought nor registered)") String stage,
            @Schema(description = "the stage's segment id, for GET /segments/{id}/members: stage:new, stage:growing, "
                    + "stage:loyal, stage:at-risk, stage:dormant (null with stage)") String stageSegmentId,
            List<String> segments, List<io.memberpulse.rfm.domain.Tag> tags, Rfm rfm) {
        static ProfileResponse of(String memberId, LifecycleStage stage, RfmSnapshot snapshot,
                List<io.memberpulse.rfm.domain.Tag> tags) {
            return new ProfileResponse(memberId, stage == null ? null : stage.name().toLowerCase(java.util.Locale.ROOT),
                    stage == null ? null : stage.segmentId(), List.copyOf(snapshot.segments()), tags, snapshot.rfm());
        }
    }

    @GET
    @Path("members/{memberId}/profile")
    @Operation(summary = "A member's lifecycle stage, segments and tags (basic, behaviour, value, risk) with the RFM")
    @APIResponseSchema(value = ProfileResponse.class, responseDescription = "stage (at_risk, as segment rules compare "
            + "it) and its segment id (stageSegmentId, stage:at-risk, for GET /segments/{id}/members), segments and tags")
    @APIResponse(responseCode = "404", description = "no purchase or registration known for this member")
    public Uni<ProfileResponse> profile(@PathParam("memberId") String memberId) {
        FieldChecks.checkId("memberId", memberId);
        return queries.profile(memberId).map(p -> ProfileResponse.of(memberId, p.stage(), p.snapshot(), p.tags()));
    }

    @GET
    @Path("segments")
    @Operation(summary = "The segments with their rules and current sizes")
    public Uni<List<SegmentResponse>> segments() {
        return queries.segments().map(sizes -> sizes.stream()
                .map(s -> new SegmentResponse(s.id(), s.name(), s.kind(), s.rule(), s.size()))
                .toList());
    }

    @GET
    @Path("segments/{segmentId}/members")
    @Operation(summary = "Members of a segment, optionally of one home store, a page at a time in member id order",
            description = "Page with after=<the last memberId of the previous page> (keyset: each page reads only its "
                    + "own rows, and members entering or leaving the live segment meanwhile shift no page); a full page "
                    + "carries the next page's address in a Link header (rel=\"next\"). offset still skips members "
                    + "(after after, when both are given), at most " + MAX_OFFSET + " of them (PostgreSQL reads every "
                    + "member it skips): beyond, a 400 naming offset; page with after instead")
    @APIResponse(responseCode = "400", description = "offset beyond " + MAX_OFFSET + " or negative, limit outside "
            + "1..10000, or an id that cannot be one; the problem names the parameter")
    @APIResponse(responseCode = "200", description = "the members in the segment",
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = SegmentMemberResponse[].class)),
            headers = @Header(name = "Link", description = "<...?after=<last memberId>&limit=N>; rel=\"next\" "
                    + "when the page is full (there may be more)", schema = @Schema(type = SchemaType.STRING)))
    @APIResponse(responseCode = "404", description = "no segment with this id")
    public Uni<RestResponse<List<SegmentMemberResponse>>> members(@PathParam("segmentId") String segmentId,
            @QueryParam("store") String storeId, @QueryParam("after") String after,
            @Parameter(schema = @Schema(type = SchemaType.INTEGER, minimum = "0", maximum = "" + MAX_OFFSET,
                    defaultValue = "0")) @QueryParam("offset") @DefaultValue("0") String offsetText,
            @Parameter(schema = @Schema(type = SchemaType.INTEGER, minimum = "1", maximum = "" + MAX_LIMIT,
                    defaultValue = "100")) @QueryParam("limit") @DefaultValue("100") String limitText,
            @Context UriInfo uri) {
        FieldChecks.checkId("segmentId", segmentId);
        if (storeId != null && !storeId.isBlank()) { // absent or blank: every store
            FieldChecks.checkOptionalId("store", storeId);
        }
        if (!queries.segmentExists(segmentId)) {
            throw new UnknownSegmentException(segmentId);
        }
        int offset = QueryNumbers.wholeNumber("offset", offsetText);
        int limit = QueryNumbers.wholeNumber("limit", limitText);
        if (offset < 0 || limit < 1 || limit > MAX_LIMIT) {
            throw new InvalidParameterException(offset < 0 ? "offset" : "limit",
                    offset < 0 ? "must be 0 or more" : "must be within 1.." + MAX_LIMIT);
        }
        if (offset > MAX_OFFSET) {
            // PostgreSQL reads every member the OFFSET skips: 2,000,000,000 walked the whole segment for an empty page
            throw new InvalidParameterException("offset", "must be within 0.." + MAX_OFFSET + ": page further with "
                    + "after=<the last memberId of the previous page>, which reads only its page");
        }
        String from = after == null || after.isEmpty() ? null : after;
        FieldChecks.checkOptionalId("after", from);
        return queries.membersOf(segmentId, storeId, from, offset, limit).map(page -> {
            List<SegmentMemberResponse> members = page.stream().map(row -> new SegmentMemberResponse(row.rfm().memberId(),
                    row.rfm().homeStoreId(), row.rfm().recencyDays(), row.rfm().frequency30d(), row.rfm().monetaryNet30d()))
                    .toList();
            RestResponse.ResponseBuilder<List<SegmentMemberResponse>> response = RestResponse.ResponseBuilder.ok(members);
            if (members.size() == limit) {
                URI next = uri.getRequestUriBuilder().replaceQueryParam("offset")
                        .replaceQueryParam("after", members.get(members.size() - 1).memberId())
                        .replaceQueryParam("limit", limit).build();
                response.header("Link", "<" + next + ">; rel=\"next\"");
            }
            return response.build();
        });
    }

    @GET
    @Path("stats")
    @Operation(summary = "Totals and the event-time clock")
    public Uni<TotalsResponse> stats() {
        return queries.totals().map(t -> new TotalsResponse(t.members(), t.purchaseLines(), t.clock()));
    }
}
