-- What staff recorded for a call: one outcome per task (a repeated submit changes nothing).
CREATE TABLE task_outcome (
    task_id         TEXT PRIMARY KEY REFERENCES call_task (id),
    member_id       TEXT NOT NULL,
    store_id        TEXT NOT NULL,
    reached         BOOLEAN NOT NULL,
    result          TEXT NOT NULL,
    note            TEXT NOT NULL DEFAULT '',
    follow_up_date  DATE,
    recorded_at     TIMESTAMPTZ NOT NULL,
    -- Set once intervention.outcomes acknowledged it; the relay republishes rows left unset.
    published_at    TIMESTAMPTZ
);
CREATE INDEX task_outcome_unpublished ON task_outcome (recorded_at) WHERE published_at IS NULL;
