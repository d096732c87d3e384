-- Which campaign each activity counts for, stated once: the campaign a redemption names, else the one that
-- issued its coupon (a till scans the coupon, not the campaign). The coupon cost and the response in a
-- campaign's results both read it here. A plain view: PostgreSQL inlines it, so plans do not change.
CREATE VIEW member_activity AS
SELECT mp.*, coalesce(mp.campaign_id, c.campaign_id) AS credited_campaign_id
FROM member_purchase mp
LEFT JOIN member_coupon c ON c.coupon_id = mp.coupon_id;
