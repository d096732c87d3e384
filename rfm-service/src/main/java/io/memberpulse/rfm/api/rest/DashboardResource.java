package io.memberpulse.rfm.api.rest;

import io.memberpulse.proto.auth.Roles;
import io.memberpulse.proto.rest.InstantParameters;
import io.memberpulse.rfm.DashboardService;
import io.memberpulse.rfm.RfmConfig;
import io.memberpulse.rfm.domain.Dashboard;
import io.memberpulse.rfm.domain.InvalidParameterException;
import io.memberpulse.rfm.domain.ParameterChecks;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * Dashboard views; every one takes from/to (ISO-8601 instants with offset, or dates: the start of that day in
 * memberpulse.rfm.day-zone), by default the last 90 days of event time.
 */
@RolesAllowed(Roles.ANALYST)
@Path("/dashboard")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "dashboard", description = "Member funnel, activity, repurchase, order values, stores, regions, segments over "
        + "time, in the window [from, to): each an ISO-8601 instant with offset (2011-09-10T00:00:00Z) or a date (2011-09-10: "
        + "the start of that day in memberpulse.rfm.day-zone, Asia/Shanghai by default), by default the last 90 days of "
        + "event time. Revenue is net of refunds as M is: a refund of an order not known is negative revenue at its own "
        + "time and store, and no order")
public class DashboardResource {
    /** The narrowest order-value bucket: a cent. */
    static final double MIN_WIDTH = 0.01;

    private final DashboardService dashboards;
    /** memberpulse.rfm.day-zone: the calendar a date given for from or to starts its day in. */
    private final ZoneId dayZone;

    public DashboardResource(DashboardService dashboards, RfmConfig config) {
        this.dashboards = dashboards;
        this.dayZone = config.rfm().dayZone();
    }

    @GET
    @Path("funnel")
    @Operation(summary = "New members per store and their first repurchase within 7 days")
    public Uni<List<Dashboard.FunnelRow>> funnel(@QueryParam("from") String from, @QueryParam("to") String to) {
        return window(from, to).flatMap(dashboards::funnel);
    }

    @GET
    @Path("activity")
    @Operation(summary = "Active members, orders and revenue per week")
    public Uni<List<Dashboard.TrendRow>> activity(@QueryParam("from") String from, @QueryParam("to") String to) {
        return window(from, to).flatMap(dashboards::activity);
    }

    @GET
    @Path("repurchase")
    @Operation(summary = "Repurchase rate and the median repurchase cycle in days")
    public Uni<Dashboard.RepurchaseRow> repurchase(@QueryParam("from") String from, @QueryParam("to") String to) {
        return window(from, to).flatMap(dashboards::repurchase);
    }

    @GET
    @Path("order-values")
    @Operation(summary = "Distribution of net order values")
    public Uni<List<Dashboard.BucketRow>> orderValues(@QueryParam("from") String from, @QueryParam("to") String to,
            @Parameter(description = "the bucket width, in the store currency", schema = @Schema(type = SchemaType.NUMBER,
                    minimum = "" + MIN_WIDTH, defaultValue = "10")) @QueryParam("width") @DefaultValue("10") String widthText) {
        double width = QueryNumbers.number("width", widthText);
        // narrower than a cent, net / width overflows PostgreSQL's double precision (a 500): no amount is finer
        if (!(width >= MIN_WIDTH) || Double.isInfinite(width)) {
            throw new InvalidParameterException("width", "must be a finite number, " + MIN_WIDTH + " or more");
        }
        return window(from, to).flatMap(w -> dashboards.orderValues(w, width));
    }

    @GET
    @Path("stores")
    @Operation(summary = "Store comparison: members, orders, revenue, order value, repurchase rate")
    public Uni<List<Dashboard.StoreRow>> stores(@QueryParam("from") String from, @QueryParam("to") String to) {
        return window(from, to).flatMap(dashboards::stores);
    }

    @GET
    @Path("regions")
    @Operation(summary = "Region comparison: the store comparison's figures over each region's stores",
            description = "Regions come from the store directory (PUT /stores/{storeId}); stores without one are counted "
                    + "under \"unassigned\". As per store, a member is counted once in each row they bought in: a member "
                    + "who bought at two stores of one region is one member of it, and their orders at both count "
                    + "towards its repurchase rate; orders and revenue are the sums of its stores'")
    public Uni<List<Dashboard.RegionRow>> regions(@QueryParam("from") String from, @QueryParam("to") String to) {
        return window(from, to).flatMap(dashboards::regions);
    }

    @GET
    @Path("segments")
    @Operation(summary = "Segment sizes per event-time day")
    public Uni<List<Dashboard.SegmentSizeRow>> segments(@QueryParam("from") String from, @QueryParam("to") String to) {
        return window(from, to).flatMap(dashboards::segmentHistory);
    }

    private Uni<DashboardService.Window> window(String from, String to) {
        Instant start = from == null || from.isBlank() ? null : parse(from, "from");
        Instant end = to == null || to.isBlank() ? null : parse(to, "to");
        if (start != null && end != null && !end.isAfter(start)) {
            throw new InvalidParameterException("to", "must be after from");
        }
        return dashboards.window(start, end);
    }

    private Instant parse(String text, String field) {
        return InstantParameters.parse(field, text, dayZone, ParameterChecks.EARLIEST_INSTANT, ParameterChecks.LATEST_INSTANT);
    }
}
