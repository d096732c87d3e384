package io.memberpulse.identity;

import io.memberpulse.proto.identity.v1.ChannelEvent;
import io.memberpulse.proto.identity.v1.Review;

/**
 * What an erased member's stored event keeps (PIPL Art. 47 / GDPR Art. 17): its key (source + event_id), so that the
 * same event sent again is recognised as a duplicate and not stitched to anybody again; its type, time and store; the
 * order line (order id, sku, category, quantity and amounts), the coupon's ids and value and a review's rating, which
 * name nobody and keep the stores' totals honest. Everything that names or describes the person goes: every
 * identifier (device included), the whole profile and a review's text.
 */
public final class ErasedEvents {
    private ErasedEvents() {
    }

    public static ChannelEvent scrubbed(ChannelEvent event) {
        ChannelEvent.Builder kept = event.toBuilder().clearIdentifiers().clearProfile();
        if (event.hasReview()) {
            kept.setReview(Review.newBuilder().setRating(event.getReview().getRating()));
        }
        return kept.build();
    }
}
