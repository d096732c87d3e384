-- The coupon a coupon fact names: a redemption reported by two systems (the till and the CRM, two event ids) is one
-- coupon redeemed, so the interest tags count distinct coupons. Rows stored before this have none and count one each.
ALTER TABLE member_activity ADD COLUMN coupon_id TEXT;
