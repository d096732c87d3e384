-- V3 (member_merge_merged_into) and V10 (member_merged) each created the same partial index on
-- member (merged_into): every merge updated both. The one V10 named for what it serves stays.
DROP INDEX member_merge_merged_into;
