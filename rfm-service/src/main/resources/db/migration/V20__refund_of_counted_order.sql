-- The channel of the order a refund applies to when it is not the refund's own (null: source): identity-service's
-- MemberEvent.counted_order, the order counted in place of one whose lines are all another report's duplicates (a
-- till's refund of its copy of a delivery order applies to the delivery order). order_id is then that order's id.
ALTER TABLE purchase_line ADD COLUMN order_source TEXT;
