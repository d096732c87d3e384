package io.memberpulse.campaign.domain.experiment;

import io.memberpulse.campaign.domain.CampaignStateConflictException;
import io.memberpulse.campaign.domain.InvalidArgumentException;
import io.memberpulse.proto.checks.FieldChecks;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A campaign: whom it targets, what it says through which channel with which offer, when, and how
 * many members are held out to measure it.
 *
 * @param target a segment of rfm-service or the churn-risk rule, optionally in one store
 */
public record Campaign(String id, String name, Target target, String content,
        String channel, String offer, double costPerTouch, double couponValue, Instant startAt, Instant endAt,
        double holdoutShare, List<String> variants, CampaignState state) {

    /** Longest message content accepted, in characters (an SMS is 70 to 160; a WeChat article's digest 120). */
    public static final int MAX_CONTENT_LENGTH = 4_000;
    /** Longest offer accepted ("20% off your next order", a coupon code). */
    public static final int MAX_OFFER_LENGTH = 200;
    public static final Set<String> CHANNELS = Set.of("call", "sms", "wechat", "app_push", "guide_message", "in_store");

    public Campaign {
        Objects.requireNonNull(id, "id");
        require(name != null && !name.isBlank(), "name", "is required");
        require(target != null, "target", "is required");
        require(channel != null && CHANNELS.contains(channel), "channel", "must be one of " + CHANNELS.stream().sorted().toList());
        // A JSON 1e999 reads as Infinity: it would price every review at Infinity (and NaN is no price at all).
        require(Double.isFinite(costPerTouch) && costPerTouch >= 0, "cost_per_touch", "must be a finite number, 0 or more");
        require(Double.isFinite(couponValue) && couponValue >= 0, "coupon_value", "must be a finite number, 0 or more");
        require(startAt != null, "start_at", "is required");
        require(endAt != null, "end_at", "is required");
        // A campaign ended (reviewed) before it started has an empty window; a plan must have a window.
        require(endAt.isAfter(startAt) || endAt.equals(startAt) && (state == CampaignState.REVIEW || state == CampaignState.CLOSED),
                "end_at", "must be after start_at");
        require(holdoutShare >= 0.01 && holdoutShare <= 0.5, "holdout_share",
                "must be within 0.01..0.5: without a holdout a campaign's effect cannot be measured");
        variants = variants == null ? List.of() : List.copyOf(variants);
        require(variants.stream().noneMatch(v -> v == null || v.isBlank()), "variants", "must not be blank");
        // Stored as one comma-separated column: a comma would split a variant in two when the campaign is read back.
        require(variants.stream().noneMatch(v -> v.contains(",")), "variants", "must not contain a comma");
        require(variants.stream().distinct().count() == variants.size(), "variants", "must be distinct");
        Objects.requireNonNull(state, "state");
    }

    /**
     * The checks of a campaign being planned, beyond those of every campaign (a stored one included): its text is
     * text PostgreSQL can store and a caller can read (name, offer, variants and target ids one line without control
     * characters; content may keep tab and line breaks), within the lengths above, its window lies within the
     * years 1900..9999 (a year -1 cannot be stored; one in 20260 is a typo) and its costs are amounts a review can add
     * up (at most FieldChecks.MAX_AMOUNT each).
     */
    public Campaign checkPlanned() {
        FieldChecks.checkText("name", name, FieldChecks.MAX_NAME_LENGTH);
        FieldChecks.checkFreeText("content", content, MAX_CONTENT_LENGTH);
        FieldChecks.checkText("offer", offer, MAX_OFFER_LENGTH);
        variants.forEach(variant -> FieldChecks.checkText("variants", variant, FieldChecks.MAX_ID_LENGTH));
        FieldChecks.checkOptionalId("target_segment_id", target.segmentId());
        FieldChecks.checkOptionalId("target_store_id", target.storeId());
        FieldChecks.checkInstant("start_at", startAt);
        FieldChecks.checkInstant("end_at", endAt);
        // bounded, so that a review's cost (touches × cost per touch + coupons × value) stays finite
        FieldChecks.checkAmount("cost_per_touch", costPerTouch);
        FieldChecks.checkAmount("coupon_value", couponValue);
        return this;
    }

    /**
     * Refuses a campaign whose window has ended by {@code now} (the service's clock, the "now" that cuts its results
     * at min(end_at, now)): what it does from now on cannot count within its window, and left LIVE it would only be
     * moved to review by the next run of the background job. Planning one is refused too: it could never go live.
     */
    public Campaign checkNotEnded(Instant now) {
        require(endAt.isAfter(now), "end_at", endAt + " has passed (now " + now + "): a campaign whose window has ended"
                + " cannot go live, as nothing it does now would count within it");
        return this;
    }

    /**
     * The campaign in the next state, moved at the instant given. Going live needs a window that has not ended by
     * then ({@link #checkNotEnded(Instant)}), and going live starts the campaign then (start_at becomes the move's
     * instant), before or after the planned start_at: its touches, calls and holdout begin at once, so its purchases,
     * coupons and calls count from then on, neither calls charged to it whose effect before start_at would not count
     * nor, going live late, purchases and calls from before it existed. Review ends the campaign: its holdout is given back
     * to the SOP, so a move before end_at ends it then (end_at becomes the move's instant, never before start_at),
     * and every window measured against the holdout stops there rather than count calls to held-out members.
     * Asking for the state the campaign is in (a client retrying a move whose answer it missed) is no move: the
     * campaign as it is. Any other move than one step forward conflicts with its state.
     */
    public Campaign moveTo(CampaignState next, Instant at) {
        if (next == state) {
            return this;
        }
        if (!state.canMoveTo(next)) {
            throw new CampaignStateConflictException(state.code(), next.code());
        }
        if (next == CampaignState.LIVE) {
            checkNotEnded(at);
        }
        Instant start = next == CampaignState.LIVE ? at : startAt;
        Instant end = next == CampaignState.REVIEW && at.isBefore(endAt) ? (at.isAfter(start) ? at : start) : endAt;
        return new Campaign(id, name, target, content, channel, offer, costPerTouch,
                couponValue, start, end, holdoutShare, variants, next);
    }

    /** Calls are made by the intervention SOP: its tasks for this campaign's members honour the holdout. */
    public boolean makesCalls() {
        return "call".equals(channel);
    }

    public Assignment assign(String memberId) {
        return Assignment.of(id, memberId, holdoutShare, variants);
    }

    private static void require(boolean condition, String field, String reason) {
        if (!condition) {
            throw new InvalidArgumentException(field, reason);
        }
    }
}
