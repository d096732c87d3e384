-- The MemberEvent.publication_version of the publication a line's counted order was last taken from (null: its
-- publisher predates the field): a refund's older publication consumed after a newer one (the two keyed by different
-- members on either side of a merge) does not move it back. Nullable: the release before writes no version.
ALTER TABLE purchase_line ADD COLUMN publication_version BIGINT;
