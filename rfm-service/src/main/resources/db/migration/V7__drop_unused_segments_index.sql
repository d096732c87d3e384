-- No query reads member_rfm through this index (members of a segment are found with `$1 = ANY(segments)`,
-- which a GIN index cannot serve), yet every row written, live or by the re-ageing pass, paid for
-- its entries: a write inserts one GIN entry per segment the member is in.
DROP INDEX IF EXISTS member_rfm_segments;
