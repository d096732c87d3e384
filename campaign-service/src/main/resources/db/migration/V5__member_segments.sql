-- Which segments each member is in now (from member.segments), to learn which segments respond to campaigns.
CREATE TABLE member_segment (
    member_id   TEXT NOT NULL,
    segment_id  TEXT NOT NULL,
    since       TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (member_id, segment_id)
);
CREATE INDEX member_segment_segment ON member_segment (segment_id);
