-- The member each member is today: itself, or the end of its merged_into chain (a merge keeps the
-- absorbed member's row; channel_event.member_id may still name it). The one definition every
-- export, count and read uses: member_current_of walks one chain by primary key (at most 64 links;
-- a longer one is a bug), and the view applies it to the merged members only, so a lookup by
-- member_id is an index probe and a full scan costs one walk per merged member, whatever the
-- planner's statistics say (they lag behind bulk imports).
CREATE INDEX member_merged ON member (merged_into) WHERE merged_into IS NOT NULL;

CREATE FUNCTION member_current_of(start_id TEXT) RETURNS TEXT LANGUAGE sql STABLE AS $$
  WITH RECURSIVE up (id, next, depth) AS (
    SELECT id, merged_into, 0 FROM member WHERE id = start_id
    UNION ALL
    SELECT m.id, m.merged_into, up.depth + 1 FROM up JOIN member m ON m.id = up.next WHERE up.depth < 64)
  SELECT id FROM up WHERE next IS NULL
$$;

CREATE VIEW member_current (member_id, current_id) AS
SELECT id, id FROM member WHERE merged_into IS NULL
UNION ALL
SELECT id, member_current_of(id) FROM member WHERE merged_into IS NOT NULL;
