-- When the member entered each of its segments (event time, as SegmentChanged.at): segment id -> instant, kept
-- across rewrites of the row while the member stays in the segment (StreamSegmentMembers' entered_at). Memberships
-- older than this column hold JSON null: when they began was never recorded.
ALTER TABLE member_rfm ADD COLUMN segments_entered_at JSONB NOT NULL DEFAULT '{}';
UPDATE member_rfm SET segments_entered_at = (SELECT coalesce(jsonb_object_agg(s, null), '{}') FROM unnest(segments) AS s);
