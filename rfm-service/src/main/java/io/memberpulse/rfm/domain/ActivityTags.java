package io.memberpulse.rfm.domain;

import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Interest (browsing = visits in the last 30 and 90 days; interaction = reviews written and coupons
 * issued / redeemed, with the redemption rate) and risk feedback (negative reviews, complaints; all
 * time and the last 90 days). Counts facts as of the instant. Coupons count once each, however many systems reported
 * their issue or redemption (by coupon id; a fact without one, as stored before it was kept, counts on its own).
 */
public final class ActivityTags {
    private ActivityTags() {
    }

    /** The counts behind the tags, also rule attributes. */
    public record Counts(long visits30d, long visits90d, long reviews, long couponsIssued, long couponsRedeemed,
            long negativeReviews, long negativeReviews90d, long complaints, long complaints90d) {
    }

    public static Counts count(List<MemberFact> facts, Instant asOf) {
        long visits30 = 0, visits90 = 0, reviews = 0, issued = 0, redeemed = 0, negative = 0, negative90 = 0,
                complaints = 0, complaints90 = 0;
        Set<String> issuedCoupons = new HashSet<>();
        Set<String> redeemedCoupons = new HashSet<>();
        for (MemberFact fact : facts) {
            if (fact.occurredAt().isAfter(asOf)) {
                continue;
            }
            boolean within90 = Duration.between(fact.occurredAt(), asOf).compareTo(Duration.ofDays(90)) < 0;
            switch (fact.kind()) {
                case VISIT -> {
                    visits90 += within90 ? 1 : 0;
                    visits30 += Duration.between(fact.occurredAt(), asOf).compareTo(Duration.ofDays(30)) < 0 ? 1 : 0;
                }
                case REVIEW -> {
                    reviews++;
                    if (ReviewSentiment.isNegative(fact.rating(), fact.reviewText())) {
                        negative++;
                        negative90 += within90 ? 1 : 0;
                    }
                    if (ReviewSentiment.isComplaint(fact.reviewText())) {
                        complaints++;
                        complaints90 += within90 ? 1 : 0;
                    }
                }
                case COUPON_ISSUED -> issued += fact.couponId() == null || issuedCoupons.add(fact.couponId()) ? 1 : 0;
                case COUPON_REDEEMED -> redeemed += fact.couponId() == null || redeemedCoupons.add(fact.couponId()) ? 1 : 0;
                default -> {
                }
            }
        }
        return new Counts(visits30, visits90, reviews, issued, redeemed, negative, negative90, complaints, complaints90);
    }

    public static List<Tag> of(Counts c) {
        var tags = new java.util.ArrayList<Tag>();
        tags.add(new Tag("interest", "visits_30d", String.valueOf(c.visits30d())));
        tags.add(new Tag("interest", "visits_90d", String.valueOf(c.visits90d())));
        tags.add(new Tag("interest", "reviews", String.valueOf(c.reviews())));
        tags.add(new Tag("interest", "coupons_redeemed", String.valueOf(c.couponsRedeemed())));
        if (c.couponsIssued() > 0) {
            tags.add(new Tag("interest", "coupon_redemption_rate",
                    String.format(Locale.ROOT, "%.2f", Math.min(1.0, (double) c.couponsRedeemed() / c.couponsIssued()))));
        }
        tags.add(new Tag("risk", "negative_reviews", String.valueOf(c.negativeReviews())));
        tags.add(new Tag("risk", "complaints", String.valueOf(c.complaints())));
        if (c.complaints90d() > 0 || c.negativeReviews90d() > 0) {
            tags.add(new Tag("risk", "feedback_risk", c.complaints90d() > 0 ? "complaint" : "negative_review"));
        }
        return tags;
    }
}
