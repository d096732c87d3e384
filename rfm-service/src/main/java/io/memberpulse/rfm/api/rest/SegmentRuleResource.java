package io.memberpulse.rfm.api.rest;

import io.memberpulse.rfm.DefineSegmentService;
import io.smallrye.common.annotation.Blocking;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * Business-defined segments. A rule is a CEL expression over: recency_days, frequency_7d/14d/30d/90d,
 * weighted_frequency_30d/90d, monetary_net_30d/90d/total, monetary_margin_90d, orders_total,
 * home_store, stage ("new", "growing", "loyal", "at_risk", "dormant") and segments (the default ones),
 * e.g. {@code stage == "loyal" && monetary_net_90d >= 800.0}. Rule segments can be changed and retired;
 * the default segments and stages are configured.
 */
@Path("/")
@Tag(name = "rule segments", description = "Segments defined by business users as CEL rules")
@Blocking
public class SegmentRuleResource {
    private final DefineSegmentService segments;

    public SegmentRuleResource(DefineSegmentService segments) {
        this.segments = segments;
    }

    public record SegmentRequest(String id, String name, String rule) {
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
    public DefinedResponse redefine(@PathParam("segmentId") String segmentId, SegmentRequest request) {
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

    @DELETE
    @Path("segments/{segmentId}")
    @Operation(summary = "Retire a rule segment: every member in it leaves (each exit published)")
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
