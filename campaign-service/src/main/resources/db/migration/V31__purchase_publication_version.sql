-- The MemberEvent.publication_version of the publication a refund's or coupon redemption's counted order was last
-- taken from (null: its publisher predates the field): an older publication consumed after a newer one (the two keyed
-- by different members on either side of a merge) does not move it back. Nullable: the release before writes no
-- version. member_activity (SELECT mp.*) keeps the columns it was made with: nothing reads this one through it.
ALTER TABLE member_purchase ADD COLUMN publication_version BIGINT;
