package io.memberpulse.campaign.api.rest;

import com.fasterxml.jackson.annotation.JsonUnwrapped;
import io.memberpulse.campaign.MonitorCampaignsService;
import io.memberpulse.campaign.PlanCampaignsService;
import io.memberpulse.campaign.RunCampaignsService;
import io.memberpulse.campaign.domain.InvalidArgumentException;
import io.memberpulse.campaign.domain.experiment.Activity;
import io.memberpulse.campaign.domain.experiment.Arm;
import io.memberpulse.campaign.domain.experiment.BeforeAfter;
import io.memberpulse.campaign.domain.experiment.Campaign;
import io.memberpulse.campaign.domain.experiment.CampaignReview;
import io.memberpulse.campaign.domain.experiment.CampaignState;
import io.memberpulse.campaign.domain.experiment.NextTarget;
import io.memberpulse.campaign.domain.experiment.Target;
import io.memberpulse.proto.auth.Roles;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponseSchema;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

@Path("/campaigns")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "campaigns", description = "Campaigns with holdout groups: plan, go live, review, close")
@RolesAllowed(Roles.ANALYST)
public class CampaignResource {
    private final RunCampaignsService campaigns;
    private final PlanCampaignsService planning;
    private final MonitorCampaignsService monitoring;

    public CampaignResource(RunCampaignsService campaigns, PlanCampaignsService planning, MonitorCampaignsService monitoring) {
        this.campaigns = campaigns;
        this.planning = planning;
        this.monitoring = monitoring;
    }

    /**
     * targetSegmentId: an rfm-service segment (churn-edge, stage:at-risk, ...) instead of the churn-risk rule;
     * targetMinProbability then defaults to 0 (any member of the segment). baselineRate and minimumUplift
     * only size the sample-size hint (defaults: 18% repurchase, +5 points); an uplift below 0.001 is refused, as no
     * campaign enrols the members it would need (SampleSize.MIN_UPLIFT).
     */
    public record CampaignRequest(@Schema(required = true) String name, String targetSegmentId, Double targetMinProbability, String targetStoreId,
            String content,
            @Schema(required = true, enumeration = {"app_push", "call", "guide_message", "in_store", "sms", "wechat"})
            String channel, String offer, Double costPerTouch, Double couponValue, @Schema(required = true) String startAt,
            @Schema(required = true) String endAt,
            Double holdoutShare, List<String> variants, Double baselineRate,
            @Schema(description = "the absolute uplift in the repurchase rate each arm is sized to detect (default 0.05, "
                    + "+5 points); at least 0.001, else a 400 naming minimumUplift", minimum = "0.001",
                    defaultValue = "0.05") Double minimumUplift) {
    }

    /*
     * The answers that carry amounts: the domain's figures, plain numbers, with currency beside them, the chain's
     * (memberpulse.campaign.currency), which clients need to show them. Each is named as the domain type whose fields
     * it carries (JsonUnwrapped: the figures' fields, then currency), the schema generated clients know.
     */
    private static final String CURRENCY = "the ISO 4217 code (CNY, GBP) of every amount here: "
            + "memberpulse.campaign.currency";

    public record PlanResponse(CampaignResponse campaign, long audience, long holdoutExpected, long sampleSizePerArm,
            @Schema(description = CURRENCY) String currency) {
    }

    @Schema(name = "Campaign")
    public record CampaignResponse(@JsonUnwrapped Campaign campaign, @Schema(description = CURRENCY) String currency) {
    }

    @Schema(name = "CampaignReview")
    public record CampaignReviewResponse(@JsonUnwrapped CampaignReview review,
            @Schema(description = CURRENCY) String currency) {
    }

    @Schema(name = "Live")
    public record LiveResponse(@JsonUnwrapped Activity.Live live, @Schema(description = CURRENCY) String currency) {
    }

    @Schema(name = "BeforeAfter")
    public record BeforeAfterResponse(@JsonUnwrapped BeforeAfter beforeAfter,
            @Schema(description = CURRENCY) String currency) {
    }

    @Schema(name = "SegmentUplift")
    public record SegmentUpliftResponse(@JsonUnwrapped NextTarget.SegmentUplift segment,
            @Schema(description = CURRENCY) String currency) {
    }

    public record StateRequest(@Schema(required = true) String state) {
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Plan a campaign; answers with its audience today and the members each arm needs")
    @APIResponse(responseCode = "201", description = "planned: the campaign, its audience today and the members each arm needs",
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = PlanResponse.class)))
    public Uni<Response> plan(CampaignRequest request) {
        if (request == null) {
            throw new InvalidArgumentException("body", "is required");
        }
        boolean segment = request.targetSegmentId() != null && !request.targetSegmentId().isBlank();
        Target target = new Target(request.targetSegmentId(), orElse(request.targetMinProbability(), segment ? 0.0 : 0.5),
                request.targetStoreId());
        Campaign campaign = new Campaign(UUID.randomUUID().toString(), request.name(), target, request.content(),
                request.channel(), request.offer(), orElse(request.costPerTouch(), 0.0), orElse(request.couponValue(), 0.0),
                instant(request.startAt(), "start_at"), instant(request.endAt(), "end_at"),
                orElse(request.holdoutShare(), 0.1), request.variants(), CampaignState.PLAN);
        return planning.plan(campaign, orElse(request.baselineRate(), 0.18), orElse(request.minimumUplift(), 0.05))
                .map(plan -> Response.status(201).entity(new PlanResponse(
                        new CampaignResponse(plan.campaign(), currency()), plan.audience(), plan.holdoutExpected(),
                        plan.sampleSizePerArm(), currency())).build());
    }

    @GET
    @Operation(summary = "All campaigns, newest first")
    public Uni<List<CampaignResponse>> all() {
        return campaigns.all().map(all -> all.stream().map(campaign -> new CampaignResponse(campaign, currency()))
                .toList());
    }

    @GET
    @Path("{id}")
    @APIResponseSchema(value = CampaignResponse.class, responseDescription = "the campaign")
    @APIResponse(responseCode = "404", description = "no campaign with this id")
    public Uni<CampaignResponse> campaign(@PathParam("id") String id) {
        return campaigns.campaign(id).map(campaign -> new CampaignResponse(campaign, currency()));
    }

    @POST
    @Path("{id}/state")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Move a campaign one step: plan → live (enrols treated and holdout) → review → closed",
            description = "Asking for the state the campaign is in (a retry) answers it unchanged. 409 for a move that "
                    + "skips a state or goes back; 400 for an unknown state, or live once the window has ended (naming "
                    + "endAt). 503 when the move is recorded but what follows it (enrolment, replanning, restoring "
                    + "held-out members' calls) did not finish: asking for the same state again finishes it")
    @APIResponseSchema(value = CampaignResponse.class,
            responseDescription = "the campaign in its new state, or unchanged when it already was in it")
    @APIResponse(responseCode = "404", description = "no campaign with this id")
    @APIResponse(responseCode = "409", description = "the campaign's state does not allow the move: it skips a state "
            + "or goes back")
    @APIResponse(responseCode = "503",
            description = "the move is recorded but what follows it did not finish: ask for the same state again")
    public Uni<CampaignResponse> move(@PathParam("id") String id, StateRequest request) {
        if (request == null || request.state() == null) {
            throw new InvalidArgumentException("state", "is required (live, review, closed)");
        }
        CampaignState next;
        try {
            next = CampaignState.valueOf(request.state().strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new InvalidArgumentException("state", "unknown state '" + request.state() + "' (live, review, closed)");
        }
        return planning.moveTo(id, next).map(campaign -> new CampaignResponse(campaign, currency()));
    }

    /** @param memberId whose assignment it is: the member asked about, or the survivor a merge absorbed them into */
    public record AssignmentResponse(String memberId, Arm arm, String variant) {
    }

    @GET
    @Path("{id}/members/{memberId}/assignment")
    @Operation(summary = "A member's arm and variant, as enrolled: sticky, from a hash of campaign and member; "
            + "for a member merged into another, the survivor's",
            description = "Only members enrolled in the campaign are in an arm: a member of another store, below its "
                    + "target or asked about before the campaign went live is not in it (404)")
    @APIResponseSchema(value = AssignmentResponse.class, responseDescription = "the member's arm and variant")
    @APIResponse(responseCode = "404", description = "no campaign with this id, no member with this id, or the member "
            + "(for a merged member, its survivor) is not enrolled in it")
    public Uni<AssignmentResponse> assignment(@PathParam("id") String id, @PathParam("memberId") String memberId) {
        return campaigns.assignment(id, memberId).map(found -> new AssignmentResponse(found.memberId(),
                found.assignment().arm(), found.assignment().variant()));
    }

    @GET
    @Path("{id}/results")
    @Operation(summary = "Treated against holdout: conversion, revenue and margin uplift with 95% intervals, cost, ROI"
            + " on gross margin")
    @APIResponseSchema(value = CampaignReviewResponse.class, responseDescription = "uplifts with 95% intervals, cost and ROI with"
            + " its 95% interval (roiLow, roiHigh). Revenue is what members paid, net of the coupon"
            + " (revenuePerMemberUplift; incrementalRevenue adds the campaign's redeemed coupons back);"
            + " marginPerMemberUplift is the gross margin of it (each line's amount × its margin_rate, else its"
            + " category's in memberpulse.campaign.category-margin-rates, else memberpulse.campaign.default-margin-rate)."
            + " incrementalGain and roi are on margin: incrementalGain ="
            + " marginPerMemberUplift × treated members + each redeemed coupon × the rate of the order it was used on"
            + " (its lines' rates weighted by amount; the default where that order is not known), roi ="
            + " incrementalGain / cost, its interval from the margin uplift's; roiSignificant: that interval lies wholly"
            + " above break-even, 1 (pays back), or wholly below it (loses), not spanning it. The cost counts the coupons: a coupon is"
            + " counted once. variants: each treatment variant's treated members against the holdout all variants"
            + " share, with the arms' figures and uplifts (one, default, for a campaign that names none); cost, gain"
            + " and ROI are not split by variant")
    @APIResponse(responseCode = "404", description = "no campaign with this id")
    public Uni<CampaignReviewResponse> results(@PathParam("id") String id) {
        return campaigns.review(id).map(review -> new CampaignReviewResponse(review, currency()));
    }

    @GET
    @Path("{id}/monitor")
    @Operation(summary = "Live: participation, conversion and repurchase of treated and holdout members, overall and per store")
    @APIResponseSchema(value = LiveResponse.class, responseDescription = "participation, conversion and repurchase per arm and store")
    @APIResponse(responseCode = "404", description = "no campaign with this id")
    public Uni<LiveResponse> monitor(@PathParam("id") String id) {
        return monitoring.live(id).map(live -> new LiveResponse(live, currency()));
    }

    @GET
    @Path("{id}/review")
    @Operation(summary = "Before/after: active rate, repurchase rate, order value, response rate and ROI, against the holdout")
    @APIResponseSchema(value = BeforeAfterResponse.class, responseDescription = "before and after, against the holdout")
    @APIResponse(responseCode = "404", description = "no campaign with this id")
    public Uni<BeforeAfterResponse> review(@PathParam("id") String id) {
        return monitoring.beforeAfter(id).map(beforeAfter -> new BeforeAfterResponse(beforeAfter, currency()));
    }

    @GET
    @Path("{id}/next-targets")
    @Operation(summary = "Segments ranked by uplift over their own holdout per unit of cost: whom to target next. "
            + "Members count in the segments they were in when enrolled, not where the treatment has moved them since")
    @APIResponseSchema(value = SegmentUpliftResponse[].class, responseDescription = "uplift per segment, best first")
    @APIResponse(responseCode = "404", description = "no campaign with this id")
    public Uni<List<SegmentUpliftResponse>> nextTargets(@PathParam("id") String id) {
        return campaigns.nextTargets(id).map(segments -> segments.stream()
                .map(segment -> new SegmentUpliftResponse(segment, currency())).toList());
    }

    /** The ISO 4217 code the answers' amounts are in. */
    private String currency() {
        return campaigns.currency().getCurrencyCode();
    }

    private static Instant instant(String text, String field) {
        if (text == null || text.isBlank()) {
            throw new InvalidArgumentException(field, "is required");
        }
        try {
            return Instant.parse(text.strip());
        } catch (DateTimeParseException e) {
            try {
                return java.time.OffsetDateTime.parse(text.strip()).toInstant();
            } catch (DateTimeParseException again) {
                throw new InvalidArgumentException(field, "not an ISO-8601 instant: '" + text + "'");
            }
        }
    }

    private static <T> T orElse(T value, T fallback) {
        return value == null ? fallback : value;
    }

}
