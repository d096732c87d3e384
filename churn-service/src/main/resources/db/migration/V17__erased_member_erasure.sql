-- The member whose erasure (member.merges MemberErased's member_id) erased each id: the erased member itself, the
-- members the erasure named as merged into it, and those this service found merged into them (member_alias, whose rows
-- the erasure deletes). A MemberErased delivered again reads them back here, so that it clears Redis of every id the
-- first application erased, not only the ids the message names. Rows written before this column: NULL (their
-- redelivery clears the ids named only).
ALTER TABLE erased_member ADD COLUMN erasure_member_id TEXT;
CREATE INDEX erased_member_erasure ON erased_member (erasure_member_id);
