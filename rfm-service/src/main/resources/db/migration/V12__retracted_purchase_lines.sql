-- The key of every order line member.events flagged duplicate_order (another channel's report of the same order). A
-- stored line with that key is deleted: identity-service published it as counted and paired it only later. The key is
-- kept so that the line stays uncounted when its first publication is consumed again, or only after the duplicate
-- (member.events is keyed by member and a merge re-keys: the two may come on different partitions).
CREATE TABLE purchase_line_retracted (
    source       TEXT NOT NULL,
    event_id     TEXT NOT NULL,
    retracted_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (source, event_id)
);
