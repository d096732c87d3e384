package io.memberpulse.rfm.api.rest;

import io.memberpulse.proto.auth.Roles;
import io.memberpulse.rfm.DefineSegmentService;
import io.memberpulse.rfm.RfmQueryService;
import io.memberpulse.rfm.domain.DefaultSegments;
import io.memberpulse.rfm.domain.InvalidParameterException;
import io.memberpulse.rfm.domain.InvalidThresholdException;
import io.memberpulse.rfm.domain.UnknownSegmentException;
import io.smallrye.common.annotation.Blocking;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponseSchema;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * Business-defined segments. A rule is a CEL expression over: recency_days, frequency_7d/14d/30d/90d,
 * weighted_frequency_30d/90d, monetary_net_30d/90d/total, monetary_margin_90d, orders_total,
 * home_store, stage ("new", "growing", "loyal", "at_risk", "dormant") and segments (the default ones),
 * e.g. {@code stage == "loyal" && monetary_net_90d >= 800.0}. Rule segments can be changed and retired;
 * the default segments and stages are configured.
 */
@RolesAllowed(Roles.ANALYST)
@Path("/")
@Tag(name = "rule segments", description = "Segments defined by business users as CEL rules over: recency_days, "
        + "frequency_7d/14d/30d/90d, weighted_frequency_30d/90d, monetary_net_30d/90d/total, monetary_margin_90d, "
        + "orders_total, home_store, days_since_registration, stage (new, growing, loyal, at_risk, dormant; a member "
        + "who registered and never bought is new, then at_risk and dormant by days since registering), segments (the default ones), "
        + "tags (by name: tags[\"region\"]), categories (paths bought: \"dairy/yogurt\" in categories), visits_30d/90d, "
        + "reviews, coupons_redeemed, negative_reviews(_90d), complaints(_90d), churn_probability (-1 when not scored) "
        + "and churn_scored; e.g. stage == \"loyal\" && churn_scored && churn_probability < 0.3, or a welcome pack's "
        + "orders_total == 0 && days_since_registration < 7")
@Blocking
public class SegmentRuleResource {
    private final DefineSegmentService segments;
    private final RfmQueryService queries;

    public SegmentRuleResource(DefineSegmentService segments, RfmQueryService queries) {
        this.segments = segments;
        this.queries = queries;
    }

    public record SegmentRequest(@Schema(required = true) String id, @Schema(required = true) String name,
            @Schema(required = true) String rule) {
    }

    /** A segment changed in place: id may be left out (given, it must be the path's). */
    public record RedefineRequest(String id, @Schema(required = true) String name, @Schema(required = true) String rule) {
    }

    public record RuleRequest(String rule) {
    }

    public record DefinedResponse(String id, String name, String rule, long size) {
    }

    @POST
    @Path("segments")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Define a segment by a CEL rule: checked (400 with line, column and reason), stored, backfilled")
    @APIResponse(responseCode = "201", description = "defined and backfilled: its size now",
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = DefinedResponse.class)))
    @APIResponse(responseCode = "409", description = "a segment with this id exists")
    public Response define(SegmentRequest request) {
        if (request == null) {
            throw new InvalidParameterException("body", "is required");
        }
        long size = segments.define(request.id(), request.name(), request.rule());
        return Response.status(201).entity(new DefinedResponse(request.id(), request.name(), request.rule(), size)).build();
    }

    @PUT
    @Path("segments/{segmentId}")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Change a rule segment's name and rule: checked like a new one, then everyone re-evaluated "
            + "(members who leave or enter are published)")
    @APIResponseSchema(value = DefinedResponse.class, responseDescription = "redefined: its size now")
    @APIResponse(responseCode = "404", description = "no segment with this id")
    public DefinedResponse redefine(@PathParam("segmentId") String segmentId, RedefineRequest request) {
        if (request == null) {
            throw new InvalidParameterException("body", "is required");
        }
        if (request.id() != null && !request.id().equals(segmentId)) {
            throw new InvalidParameterException("id", "differs from the path's " + segmentId + " (a segment keeps its id)");
        }
        long size = segments.redefine(segmentId, request.name(), request.rule())
                .orElseThrow(() -> new UnknownSegmentException(segmentId));
        return new DefinedResponse(segmentId, request.name().strip(), request.rule(), size);
    }

    /**
     * A default segment's thresholds: for high-value-active and potential maxRecencyDays, minOrders30d
     * and minMonetary30d; for churn-edge minRecencyDays, maxOrders30d and maxMonetary30d.
     */
    public record ThresholdsRequest(Double maxRecencyDays, Integer minOrders30d, Double minMonetary30d,
            Double minRecencyDays, Integer maxOrders30d, Double maxMonetary30d) {

        /** The fields given, by name. */
        Map<String, Number> given() {
            Map<String, Number> given = new LinkedHashMap<>();
            given.put("maxRecencyDays", maxRecencyDays);
            given.put("minOrders30d", minOrders30d);
            given.put("minMonetary30d", minMonetary30d);
            given.put("minRecencyDays", minRecencyDays);
            given.put("maxOrders30d", maxOrders30d);
            given.put("maxMonetary30d", maxMonetary30d);
            given.values().removeIf(java.util.Objects::isNull);
            return given;
        }
    }

    /** The body's fields for recency, orders and spend: a bound the active segments stay under or over, churn-edge the reverse. */
    private static final List<String> ACTIVE_FIELDS = List.of("maxRecencyDays", "minOrders30d", "minMonetary30d");
    private static final List<String> FADING_FIELDS = List.of("minRecencyDays", "maxOrders30d", "maxMonetary30d");

    public record ThresholdsResponse(String id, String rule, long size) {
    }

    @PUT
    @Path("segments/{segmentId}/thresholds")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Change a default segment's thresholds (high-value-active and potential: maxRecencyDays, "
            + "minOrders30d, minMonetary30d; churn-edge: minRecencyDays, maxOrders30d, maxMonetary30d); every replica "
            + "uses them over the configured ones and everyone is re-evaluated (entries and exits published). The orders "
            + "are margin-weighted (wF30: an order at the default margin rate counts 1, a high-margin one more), and "
            + "potential leaves out the members who are high-value active")
    @APIResponseSchema(value = ThresholdsResponse.class, responseDescription = "the segment's rule with its new thresholds and its size now")
    @APIResponse(responseCode = "404", description = "no segment with this id")
    @APIResponse(responseCode = "409", description = "not a default segment: only their thresholds can be changed")
    public ThresholdsResponse retune(@PathParam("segmentId") String segmentId, ThresholdsRequest request) {
        if (request == null) {
            throw new InvalidParameterException("body", "is required");
        }
        if (!segments.isRetunable(segmentId)) {
            throw new UnknownSegmentException(segmentId);
        }
        List<String> fields = DefaultSegments.CHURN_EDGE.equals(segmentId) ? FADING_FIELDS : ACTIVE_FIELDS;
        Map<String, Number> given = request.given();
        for (String field : given.keySet()) {
            if (!fields.contains(field)) {
                throw new InvalidParameterException(field, "does not apply to " + segmentId);
            }
        }
        for (String field : fields) {
            if (!given.containsKey(field)) {
                throw new InvalidParameterException(field, "is required for " + segmentId);
            }
        }
        long size;
        try {
            size = segments.retune(segmentId, given.get(fields.get(0)).doubleValue(), given.get(fields.get(1)).intValue(),
                    given.get(fields.get(2)).doubleValue());
        } catch (InvalidThresholdException e) {
            throw new InvalidParameterException(bodyField(e.field()), e.getMessage().substring(e.field().length()).strip());
        }
        return new ThresholdsResponse(segmentId, queries.defaultRule(segmentId), size);
    }

    /** "churn-edge.max-monetary-30d" (the configuration key) as the body's "maxMonetary30d". */
    private static String bodyField(String key) {
        String[] words = key.substring(key.lastIndexOf('.') + 1).split("-");
        StringBuilder field = new StringBuilder(words[0]);
        for (int i = 1; i < words.length; i++) {
            field.append(Character.toUpperCase(words[i].charAt(0))).append(words[i].substring(1));
        }
        return field.toString();
    }

    @DELETE
    @Path("segments/{segmentId}")
    @Operation(summary = "Retire a rule segment: every member in it leaves (each exit published)")
    @APIResponse(responseCode = "204", description = "retired")
    @APIResponse(responseCode = "404", description = "no segment with this id")
    public Response retire(@PathParam("segmentId") String segmentId) {
        if (!segments.retire(segmentId)) {
            throw new UnknownSegmentException(segmentId);
        }
        return Response.noContent().build();
    }

    @POST
    @Path("segments/preview")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "How many members a rule would hold now, before saving it")
    public DefineSegmentService.Preview preview(RuleRequest request) {
        if (request == null) {
            throw new InvalidParameterException("body", "is required");
        }
        return segments.preview(request.rule());
    }
}
