-- The member a MemberSplit gave each event to (member.merges), as rfm-service and churn-service keep it.
-- member.events is another topic, so an event a split moves may be consumed only after the split, still under
-- the original member: it is recorded for the member named here (or, when a merge absorbed that member since,
-- its survivor in member_alias). The latest split applied that names an event decides, as it did for the
-- purchase lines it moved.
CREATE TABLE split_event_owner (
    source     TEXT NOT NULL,
    event_id   TEXT NOT NULL,
    member_id  TEXT NOT NULL,
    PRIMARY KEY (source, event_id)
);
