package io.memberpulse.rfm.domain.rules;

import io.memberpulse.rfm.domain.ActivityTags;
import io.memberpulse.rfm.domain.CategoryTags;
import io.memberpulse.rfm.domain.LifecycleStage;
import io.memberpulse.rfm.domain.MemberHistory;
import io.memberpulse.rfm.domain.MemberTags;
import io.memberpulse.rfm.domain.Rfm;
import io.memberpulse.rfm.domain.Tag;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a segment rule can see of a member: the RFM figures, the lifecycle stage, the home store, the
 * default segments, every tag by name ({@code tags["age_band"] == "25-34"}, {@code "region" in tags}),
 * the category paths bought ({@code "dairy/yogurt" in categories}) and the activity counts behind the
 * interest and risk tags. Names are the rule language's variables (documented in the API).
 */
public final class MemberAttributes {
    /**
     * Recency of a member who never bought (and the age of a registration not known): far beyond any window, so
     * "recency_days > 30" holds.
     */
    public static final double NEVER = 36_500;

    private MemberAttributes() {
    }

    /**
     * Churn probability of a member churn-service has not scored. Below every probability, so a rule meaning
     * "low risk" says so with churn_scored: {@code churn_scored && churn_probability < 0.3}.
     */
    public static final double UNSCORED = -1;

    /** The attributes from RFM alone (no facts besides purchases known, so no calendar dates either). */
    public static Map<String, Object> of(Rfm rfm, LifecycleStage stage, Set<String> defaultSegments) {
        return of(rfm, stage, defaultSegments, MemberHistory.EMPTY, ZoneOffset.UTC);
    }

    /** @param dayZone the calendar of date tags (registration date, age band) */
    public static Map<String, Object> of(Rfm rfm, LifecycleStage stage, Set<String> defaultSegments, MemberHistory history,
            ZoneId dayZone) {
        Map<String, Object> attributes = rfmAttributes(rfm, stage, defaultSegments);
        ActivityTags.Counts counts = ActivityTags.count(history.facts(), rfm.asOf());
        Map<String, String> tags = new LinkedHashMap<>();
        for (Tag tag : MemberTags.of(rfm, stage, history, counts, dayZone)) {
            tags.putIfAbsent(tag.name(), tag.value());
        }
        attributes.put("tags", tags);
        attributes.put("categories", List.copyOf(CategoryTags.pathsBought(history.lines(), rfm.asOf())));
        attributes.put("visits_30d", counts.visits30d());
        attributes.put("visits_90d", counts.visits90d());
        attributes.put("reviews", counts.reviews());
        attributes.put("coupons_redeemed", counts.couponsRedeemed());
        attributes.put("negative_reviews", counts.negativeReviews());
        attributes.put("negative_reviews_90d", counts.negativeReviews90d());
        attributes.put("complaints", counts.complaints());
        attributes.put("complaints_90d", counts.complaints90d());
        attributes.put("churn_probability", history.churnProbability() == null ? UNSCORED : history.churnProbability());
        attributes.put("churn_scored", history.churnProbability() != null);
        return attributes;
    }

    private static Map<String, Object> rfmAttributes(Rfm rfm, LifecycleStage stage, Set<String> defaultSegments) {
        Map<String, Object> attributes = new LinkedHashMap<>();
        attributes.put("recency_days", rfm.recencyDays() == null ? NEVER : rfm.recencyDays());
        attributes.put("frequency_7d", (long) rfm.frequency7d());
        attributes.put("frequency_14d", (long) rfm.frequency14d());
        attributes.put("frequency_30d", (long) rfm.frequency30d());
        attributes.put("frequency_90d", (long) rfm.frequency90d());
        attributes.put("weighted_frequency_30d", rfm.weightedFrequency30d());
        attributes.put("weighted_frequency_90d", rfm.weightedFrequency90d());
        attributes.put("monetary_net_30d", rfm.monetaryNet30d());
        attributes.put("monetary_net_90d", rfm.monetaryNet90d());
        attributes.put("monetary_margin_90d", rfm.monetaryMargin90d());
        attributes.put("monetary_net_total", rfm.monetaryNetTotal());
        attributes.put("orders_total", rfm.ordersTotal());
        attributes.put("home_store", rfm.homeStoreId() == null ? "" : rfm.homeStoreId());
        // NEVER when no registration is known, so "days_since_registration < 7" holds only for a known one.
        attributes.put("days_since_registration", rfm.registeredAt() == null ? NEVER : Rfm.ageDays(rfm.registeredAt(), rfm.asOf()));
        attributes.put("stage", stage == null ? "" : stage.name().toLowerCase(java.util.Locale.ROOT));
        attributes.put("segments", List.copyOf(defaultSegments));
        return attributes;
    }
}
