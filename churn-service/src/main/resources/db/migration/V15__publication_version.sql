-- The MemberEvent.publication_version of the publication a refund's, review's or coupon redemption's counted order was
-- last taken from (null: its publisher predates the field): an older publication consumed after a newer one (the two
-- keyed by different members on either side of a merge) does not move it back. Nullable: the release before writes
-- no version.
ALTER TABLE purchase_line ADD COLUMN publication_version BIGINT;
ALTER TABLE member_activity ADD COLUMN publication_version BIGINT;
