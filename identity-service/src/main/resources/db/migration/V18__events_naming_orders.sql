-- The refunds, reviews and coupon redemptions naming an order, by the order's channel and id: when an order's lines
-- are flagged as another report's duplicates, the events already stored that name it are published again with the
-- order counted in its place (MemberEvent.counted_order; store.CountedOrderRepository).
CREATE INDEX channel_event_naming_order ON channel_event (source, order_id)
    WHERE type IN ('refund', 'review', 'coupon_redeemed') AND order_id <> '';
