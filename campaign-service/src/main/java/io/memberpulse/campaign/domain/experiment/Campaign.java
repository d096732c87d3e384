package io.memberpulse.campaign.domain.experiment;

import io.memberpulse.campaign.domain.InvalidArgumentException;
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

    public static final Set<String> CHANNELS = Set.of("call", "sms", "wechat", "app_push", "guide_message", "in_store");

    public Campaign {
        Objects.requireNonNull(id, "id");
        require(name != null && !name.isBlank(), "name", "is required");
        require(target != null, "target", "is required");
        require(channel != null && CHANNELS.contains(channel), "channel", "must be one of " + CHANNELS.stream().sorted().toList());
        require(costPerTouch >= 0, "cost_per_touch", "must be 0 or more");
        require(couponValue >= 0, "coupon_value", "must be 0 or more");
        require(startAt != null, "start_at", "is required");
        require(endAt != null, "end_at", "is required");
        require(endAt.isAfter(startAt), "end_at", "must be after start_at");
        require(holdoutShare >= 0.01 && holdoutShare <= 0.5, "holdout_share",
                "must be within 0.01..0.5: without a holdout a campaign's effect cannot be measured");
        variants = variants == null ? List.of() : List.copyOf(variants);
        require(variants.stream().noneMatch(v -> v == null || v.isBlank()), "variants", "must not be blank");
        Objects.requireNonNull(state, "state");
    }

    public Campaign moveTo(CampaignState next) {
        if (!state.canMoveTo(next)) {
            throw new InvalidArgumentException("state", "a campaign in " + state.code() + " cannot move to " + next.code());
        }
        return new Campaign(id, name, target, content, channel, offer, costPerTouch,
                couponValue, startAt, endAt, holdoutShare, variants, next);
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
