package io.memberpulse.rfm;

import io.memberpulse.proto.identity.v1.ChannelEvent;
import io.memberpulse.proto.identity.v1.EventType;
import io.memberpulse.proto.identity.v1.MemberEvent;
import io.memberpulse.proto.merges.CountedOrder;
import io.memberpulse.proto.merges.IdentityChange;
import io.memberpulse.rfm.domain.MemberFact;
import io.memberpulse.rfm.domain.PurchaseLine;
import java.time.Instant;

/** What rfm-service keeps of a member event: a purchase line, another member fact, or nothing. */
final class EventFacts {
    private EventFacts() {
    }

    static Instant occurredAt(MemberEvent event) {
        var at = event.getEvent().getOccurredAt();
        return Instant.ofEpochSecond(at.getSeconds(), at.getNanos());
    }

    static String source(MemberEvent event) {
        return IdentityChange.EventKey.sourceOf(event.getEvent());
    }

    /** MemberEvent.publication_version; null when the publisher gave none (0: it predates the field). */
    static Long publicationVersion(MemberEvent event) {
        return event.getPublicationVersion() == 0 ? null : event.getPublicationVersion();
    }

    /**
     * An order line repeating another channel's report of the same order is never counted. When identity-service
     * paired the two only after publishing this line as counted, it publishes the line again flagged so: a stored
     * line with its source + event_id must be un-counted, whichever member the event names now (merges re-key), and
     * its key kept. A line flagged on arrival (never_counted) was never counted: nothing to take back or keep.
     */
    static boolean retracts(MemberEvent event) {
        return event.getDuplicateOrder() && !event.getNeverCounted();
    }

    /**
     * Orders with a paid amount and refunds are purchase facts; the rest is not RFM's business. A refund names the
     * counted order when identity-service gives one (CountedOrder).
     */
    static PurchaseLine toLine(MemberEvent event, Instant at) {
        var fact = event.getEvent();
        var line = fact.getLine();
        if (event.getDuplicateOrder() || line.getOrderId().isEmpty()) {
            return null;
        }
        String refunded = CountedOrder.orderIdOf(event);
        Double margin = line.hasMarginRate() ? line.getMarginRate() : null;
        if (fact.getType() == EventType.EVENT_TYPE_ORDER && line.hasPaidAmount()) {
            return new PurchaseLine(line.getOrderId(), PurchaseLine.Kind.ORDER, at, fact.getStoreId(),
                    line.getPaidAmount(), margin, 0, line.getCategory());
        }
        if (fact.getType() == EventType.EVENT_TYPE_REFUND && line.hasRefundAmount()) {
            return new PurchaseLine(refunded, PurchaseLine.Kind.REFUND, at, fact.getStoreId(), 0, margin,
                    line.getRefundAmount(), line.getCategory());
        }
        return null;
    }

    /**
     * Registrations, visits, reviews and coupons are facts for the tags; so are the profile hints
     * (gender, birth date, city) of any other event. Null when the event says nothing of that kind.
     */
    static MemberFact toFact(MemberEvent event, Instant at) {
        ChannelEvent fact = event.getEvent();
        MemberFact.Kind kind = switch (fact.getType()) {
            case EVENT_TYPE_REGISTER -> MemberFact.Kind.REGISTER;
            case EVENT_TYPE_VISIT -> MemberFact.Kind.VISIT;
            case EVENT_TYPE_REVIEW -> MemberFact.Kind.REVIEW;
            case EVENT_TYPE_COUPON_ISSUED -> MemberFact.Kind.COUPON_ISSUED;
            case EVENT_TYPE_COUPON_REDEEMED -> MemberFact.Kind.COUPON_REDEEMED;
            default -> MemberFact.Kind.PROFILE;
        };
        var profile = fact.getProfile();
        MemberFact result = new MemberFact(kind, at, fact.getStoreId(), fact.getLine().getCategory(),
                fact.getReview().getRating(), fact.getReview().getText(), profile.getGender(), profile.getBirthDate(),
                profile.getCity(), kind == MemberFact.Kind.COUPON_ISSUED || kind == MemberFact.Kind.COUPON_REDEEMED
                        ? fact.getCoupon().getCouponId() : null);
        return kind == MemberFact.Kind.PROFILE && !result.hasProfile() ? null : result;
    }
}
