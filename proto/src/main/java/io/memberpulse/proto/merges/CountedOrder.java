package io.memberpulse.proto.merges;

import io.memberpulse.proto.identity.v1.EventType;
import io.memberpulse.proto.identity.v1.MemberEvent;

/**
 * The order a refund, review or coupon redemption applies to, as every consumer of member.events reads it:
 * identity-service's {@code MemberEvent.counted_order} when set (the order counted in place of one whose lines are all
 * flagged duplicates: a till's refund of its copy of a delivery order; or the event's own order, named again when a
 * later line made it count), else the event's own order. A consumer that stored the event moves it to the order set
 * (and so back to its own). Order lines are never redirected.
 */
public final class CountedOrder {
    private CountedOrder() {
    }

    /** The counted order's channel, spelt as {@link IdentityChange.EventKey#sourceOf} spells it; null: the event's own. */
    public static String sourceOf(MemberEvent event) {
        return event.hasCountedOrder() && event.getEvent().getType() != EventType.EVENT_TYPE_ORDER
                ? IdentityChange.EventKey.sourceOf(event.getCountedOrder()) : null;
    }

    /** The order id the event applies to: the counted order's when {@link #sourceOf} names one, else its own. */
    public static String orderIdOf(MemberEvent event) {
        return sourceOf(event) != null ? event.getCountedOrder().getOrderId() : event.getEvent().getLine().getOrderId();
    }
}
