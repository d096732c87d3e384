-- The event each masked phone and each coupon was recorded from (source as stored, as a split's event keys spell it),
-- so that a MemberSplit gives them back with that event: a merge had made them the survivor's, and staff of the
-- survivor's store were shown the absorbed person's phone and coupons after the merge was undone. For a phone, the
-- event that last reported it; for a coupon, its issue (or, until the issue arrives, its first redemption recorded).
-- Rows stored before this migration keep nulls: no split can tell whose they are, so they stay with the member
-- holding them (a phone until the member's next event reports one).
ALTER TABLE member_contact ADD COLUMN source TEXT, ADD COLUMN event_id TEXT;
ALTER TABLE member_coupon ADD COLUMN source TEXT, ADD COLUMN event_id TEXT;
CREATE INDEX member_contact_event ON member_contact (source, event_id);
CREATE INDEX member_coupon_event ON member_coupon (source, event_id);
