package io.memberpulse.rfm.domain;

import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The tags of the five families of DOMAIN.md from what rfm-service knows of a member: basic (home
 * store; gender, age band, city, region, registration date from profile hints), behaviour (activity
 * frequency, spend band, repurchase cycle, categories down to the SKU attribute), interest (favourite
 * categories, browsing, interaction), value (tier, 90-day margin contribution, loyalty score) and risk
 * (churn probability and band from churn-service, negative reviews, complaints). All as of the RFM's
 * instant, so a profile as of a past instant is what it was then.
 */
public final class MemberTags {
    private MemberTags() {
    }

    /**
     * Every tag of the member, from the RFM and the member's whole history.
     * @param dayZone the calendar of the date tags (the chain's stores')
     */
    public static List<Tag> of(Rfm rfm, LifecycleStage stage, MemberHistory history, ZoneId dayZone) {
        return of(rfm, stage, history, ActivityTags.count(history.facts(), rfm.asOf()), dayZone);
    }

    /** Same, with the activity counts already made (rule attributes use them too). */
    public static List<Tag> of(Rfm rfm, LifecycleStage stage, MemberHistory history, ActivityTags.Counts counts,
            ZoneId dayZone) {
        List<Tag> tags = new ArrayList<>(ProfileTags.of(history.facts(), rfm.asOf(), dayZone));
        tags.addAll(fromRfm(rfm, stage, history.churnProbability()));
        RepurchaseCycle.meanGapDays(history.lines(), rfm.asOf()).ifPresent(days ->
                tags.add(new Tag("behaviour", "repurchase_cycle_days", String.valueOf(days))));
        tags.addAll(CategoryTags.of(history.lines(), rfm.asOf()));
        tags.addAll(ActivityTags.of(counts));
        return tags;
    }

    /**
     * The tags from RFM alone (repurchase_cycle_days needs the purchases: {@link #of}).
     * @param churnProbability null when churn-service has not scored the member
     */
    public static List<Tag> fromRfm(Rfm rfm, LifecycleStage stage, Double churnProbability) {
        List<Tag> tags = new ArrayList<>();
        if (rfm.homeStoreId() != null) {
            tags.add(new Tag("basic", "home_store", rfm.homeStoreId()));
        }
        tags.add(new Tag("behaviour", "activity_frequency", activity(rfm)));
        tags.add(new Tag("behaviour", "spend_band", spendBand(rfm.monetaryNet90d())));
        tags.add(new Tag("value", "tier", tier(rfm.monetaryNetTotal())));
        tags.add(new Tag("value", "contribution_90d", String.format(Locale.ROOT, "%.2f", rfm.monetaryMargin90d())));
        tags.add(new Tag("value", "loyalty_score", String.valueOf(loyaltyScore(rfm, stage))));
        if (churnProbability != null) {
            tags.add(new Tag("risk", "churn_probability", String.format(Locale.ROOT, "%.3f", churnProbability)));
            tags.add(new Tag("risk", "churn_risk", churnProbability >= 0.7 ? "high" : churnProbability >= 0.4 ? "medium" : "low"));
        }
        return tags;
    }

    static String activity(Rfm rfm) {
        if (rfm.frequency30d() >= 4) {
            return "weekly";
        }
        if (rfm.frequency30d() >= 1) {
            return "monthly";
        }
        return rfm.frequency90d() >= 1 ? "quarterly" : "lapsed";
    }

    static String spendBand(double net90d) {
        if (net90d >= 900) {
            return "900+";
        }
        if (net90d >= 600) {
            return "600-900";
        }
        if (net90d >= 300) {
            return "300-600";
        }
        return net90d > 0 ? "<300" : "none";
    }

    static String tier(double netTotal) {
        if (netTotal >= 5_000) {
            return "platinum";
        }
        if (netTotal >= 1_000) {
            return "gold";
        }
        return netTotal >= 200 ? "silver" : "bronze";
    }

    /** 0..100: the lifecycle stage's base plus recent frequency, capped. */
    static int loyaltyScore(Rfm rfm, LifecycleStage stage) {
        int base = stage == null ? 0 : switch (stage) {
            case LOYAL -> 60;
            case GROWING -> 40;
            case NEW -> 20;
            case AT_RISK -> 10;
            case DORMANT -> 0;
        };
        return Math.min(100, base + 5 * rfm.frequency90d());
    }
}
