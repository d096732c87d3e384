-- The member each member is today: itself, or the end of its merged_into chain (a merge keeps the
-- absorbed member's row; channel_event.member_id may still name it). The one definition every
-- export, count and read uses. Roots answer from the first branch (so a filter on member_id is an
-- index lookup); only merged members walk their chain, at most 64 links (a longer one is a bug).
CREATE INDEX member_merged ON member (merged_into) WHERE merged_into IS NOT NULL;

CREATE VIEW member_current (member_id, current_id) AS
SELECT id, id FROM member WHERE merged_into IS NULL
UNION ALL
SELECT chain.member_id, chain.current_id FROM (
  WITH RECURSIVE up (member_id, current_id, depth) AS (
    SELECT id, merged_into, 1 FROM member WHERE merged_into IS NOT NULL
    UNION ALL
    SELECT up.member_id, m.merged_into, up.depth + 1
    FROM up JOIN member m ON m.id = up.current_id
    WHERE m.merged_into IS NOT NULL AND up.depth < 64)
  SELECT member_id, current_id FROM up
  WHERE NOT EXISTS (SELECT 1 FROM member r WHERE r.id = up.current_id AND r.merged_into IS NOT NULL)
) AS chain;
