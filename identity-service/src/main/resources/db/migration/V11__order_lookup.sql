-- An order's lines by the channel's order id (attribution of one order, GET /orders/{source}/{orderId}).
CREATE INDEX channel_event_order ON channel_event (source, order_id) WHERE type = 'order';
-- A member's touch points (coupons, campaigns, visits) before an order.
CREATE INDEX channel_event_member_time ON channel_event (member_id, occurred_at);
