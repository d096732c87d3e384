package io.memberpulse.rfm.domain;

import java.time.Instant;
import java.util.Objects;

/**
 * A member's fact other than a purchase: registration, store or page visit, review, coupon issued or
 * redeemed, or profile hints that came with any event. Empty strings are absent values.
 */
public record MemberFact(Kind kind, Instant occurredAt, String storeId, String category, int rating, String reviewText,
        String gender, String birthDate, String city) {

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
    }

    public boolean hasProfile() {
        return gender != null || birthDate != null || city != null;
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.strip();
    }
}
