-- Campaigns may target a segment of rfm-service (from the local projection of member.segments).
ALTER TABLE campaign ADD COLUMN target_segment_id TEXT;

-- The home store rfm-service reported with the segment change, for members not scored yet.
ALTER TABLE member_segment ADD COLUMN home_store_id TEXT;

-- Every segment id seen on member.segments, even once empty: an id outside this set is unknown.
CREATE TABLE known_segment (
    segment_id  TEXT PRIMARY KEY,
    first_seen  TIMESTAMPTZ NOT NULL
);
INSERT INTO known_segment (segment_id, first_seen) SELECT segment_id, min(since) FROM member_segment GROUP BY segment_id;

-- Which SOP rule opened a task: the churn top share, or the entry into a segment ("segment:churn-edge").
-- Replanning a store by churn scores reconciles only its own tasks.
ALTER TABLE call_task ADD COLUMN origin TEXT NOT NULL DEFAULT 'churn-top-share';
-- A segment entry may open a task before churn-service scored the member.
ALTER TABLE call_task DROP CONSTRAINT call_task_member_id_fkey;
