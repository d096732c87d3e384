-- Order lines identity-service published again with duplicate_order (another channel's report of the same order,
-- paired only after this line was counted): the line is deleted and its key kept here, so it stays uncounted when
-- its first publication is consumed again, or only after the retraction (member.events is keyed by member and a
-- merge re-keys: the two may come on different partitions).
CREATE TABLE purchase_line_retracted (
    source       TEXT NOT NULL,
    event_id     TEXT NOT NULL,
    retracted_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (source, event_id)
);
