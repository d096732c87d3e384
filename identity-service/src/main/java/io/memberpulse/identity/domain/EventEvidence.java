package io.memberpulse.identity.domain;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * What one event tells the stitcher: its normalised identifiers and its profile hints, when and where.
 *
 * @param index      position in its batch
 * @param eventKey   "source:event_id", recorded as the cause of a merge
 * @param occurredAt may be null in tests
 * @param storeId    may be null or blank
 * @param sameOrderAs the event key of another channel's report of this very order line (a delivery order
 *                    rung up at the till), or null: an event with no usable strong identifier joins its member
 * @param orderKey    "source:order_id" of the order the event belongs to (its lines, refunds, reviews and
 *                    redeemed coupons), or null: one order has one buyer
 * @param couponId    the coupon issued or redeemed, or null: weak evidence (a coupon is sometimes passed on)
 */
public record EventEvidence(int index, String eventKey, List<Identifier> identifiers, Instant occurredAt, String storeId,
        ProfileNormalizer.NameKeys name, ProfileNormalizer.AddressKey address, String city, String sameOrderAs,
        String orderKey, String couponId) {

    public EventEvidence {
        identifiers = List.copyOf(Objects.requireNonNull(identifiers, "identifiers"));
        name = name == null ? ProfileNormalizer.NameKeys.NONE : name;
        address = address == null ? ProfileNormalizer.AddressKey.NONE : address;
        storeId = storeId == null || storeId.isBlank() ? null : storeId;
        city = city == null || city.isBlank() ? null : city.replace("市", "").trim();
        orderKey = orderKey == null || orderKey.isBlank() ? null : orderKey;
        couponId = couponId == null || couponId.isBlank() ? null : couponId;
    }

    /** Identifiers only, no profile. */
    public EventEvidence(int index, List<Identifier> identifiers, Instant occurredAt, String storeId) {
        this(index, "#" + index, identifiers, occurredAt, storeId, null, null, null, null, null, null);
    }

    /** Builds the evidence of an event from what the channel reported (profile hints normalised here). */
    public static EventEvidence of(int index, String eventKey, List<Identifier> identifiers, Instant occurredAt,
            String storeId, String name, String address, String city, String sameOrderAs) {
        return of(index, eventKey, identifiers, occurredAt, storeId, name, address, city, sameOrderAs, null, null);
    }

    public static EventEvidence of(int index, String eventKey, List<Identifier> identifiers, Instant occurredAt,
            String storeId, String name, String address, String city, String sameOrderAs, String orderKey,
            String couponId) {
        // an order without a city field usually names it at the head of its address
        String reportedCity = city == null || city.isBlank() ? ProfileNormalizer.city(address) : city;
        return new EventEvidence(index, eventKey, identifiers, occurredAt, storeId, ProfileNormalizer.name(name),
                ProfileNormalizer.address(address), reportedCity, sameOrderAs, orderKey, couponId);
    }
}
