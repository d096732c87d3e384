-- The channel of the order a refund or coupon redemption applies to when it is not the row's own (null: the order is
-- found as before, CampaignRepository.orderSourceOf): identity-service's MemberEvent.counted_order, the order counted
-- in place of one whose lines are all another report's duplicates (a till's refund of its copy of a delivery order
-- applies to the delivery order). order_id is then that order's id.
ALTER TABLE member_purchase ADD COLUMN order_source TEXT;

-- The view lists member_purchase's columns as they were when it was made: made again to carry order_source.
DROP VIEW member_activity;
CREATE VIEW member_activity AS
SELECT mp.*, coalesce(mp.campaign_id, c.campaign_id) AS credited_campaign_id
FROM member_purchase mp
LEFT JOIN member_coupon c ON c.coupon_id = mp.coupon_id;
