-- The coupon a redemption used: a coupon costs once however many times its redemption is reported,
-- and a redemption that does not name its campaign counts for the campaign that issued the coupon.
ALTER TABLE member_purchase ADD COLUMN coupon_id TEXT;
