package io.memberpulse.rfm.domain;

import java.time.Instant;
import java.util.Objects;

/**
 * A member's fact other than a purchase: registration, store or page visit, review, coupon issued or
 * redeemed, or profile hints that came with any event. Empty strings are absent values. {@code couponId} names the
 * coupon of a coupon fact (null when the channel sent none, or stored before it was kept).
 */
public record MemberFact(Kind kind, Instant occurredAt, String storeId, String category, int rating, String reviewText,
        String gender, String birthDate, String city, String couponId) {

    public enum Kind { REGISTER, VISIT, REVIEW, COUPON_ISSUED, COUPON_REDEEMED, PROFILE }

    public MemberFact {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(occurredAt, "occurredAt");
        storeId = blankToNull(storeId);
        category = blankToNull(category);
        reviewText = blankToNull(reviewText);
        gender = blankToNull(gender);
        birthDate = blankToNull(birthDate);
        city = blankToNull(city);
        couponId = blankToNull(couponId);
    }

    /** A fact that names no coupon. */
    public MemberFact(Kind kind, Instant occurredAt, String storeId, String category, int rating, String reviewText,
            String gender, String birthDate, String city) {
        this(kind, occurredAt, storeId, category, rating, reviewText, gender, birthDate, city, null);
    }

    public boolean hasProfile() {
        return gender != null || birthDate != null || city != null;
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.strip();
    }
}
