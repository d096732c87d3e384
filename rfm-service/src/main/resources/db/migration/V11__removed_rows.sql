-- Members whose row was removed (merged away, emptied by a split), with when: a replica catching up with
-- what others wrote reads these too, or it would keep a removed member in its in-memory state, and in its
-- segment sizes, until its next full load. Kept a week; a replica further behind loads everything again.
CREATE TABLE member_rfm_removed (
    member_id  TEXT PRIMARY KEY,
    removed_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX member_rfm_removed_at ON member_rfm_removed (removed_at);
