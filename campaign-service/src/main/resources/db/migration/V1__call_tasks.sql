-- Each member's latest churn score. A score older than the stored as_of is ignored, so redelivered
-- or reordered events change nothing. store_id is null for a member with no home store.
CREATE TABLE member_risk (
    member_id     TEXT PRIMARY KEY,
    store_id      TEXT,
    probability   DOUBLE PRECISION NOT NULL CHECK (probability BETWEEN 0 AND 1),
    member_value  DOUBLE PRECISION NOT NULL,
    as_of         TIMESTAMPTZ NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL
);
-- A store's members, for replanning it and for "is this a known store".
CREATE INDEX member_risk_store ON member_risk (store_id);

-- Calls for store staff to make. Closed tasks stay as history.
CREATE TABLE call_task (
    id            TEXT PRIMARY KEY,
    member_id     TEXT NOT NULL REFERENCES member_risk (member_id),
    store_id      TEXT NOT NULL,
    -- Null for tasks the SOP opened; set once campaigns open tasks.
    campaign_id   TEXT,
    probability   DOUBLE PRECISION NOT NULL,
    member_value  DOUBLE PRECISION NOT NULL,
    value_at_risk DOUBLE PRECISION NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('OPEN', 'DONE', 'CANCELLED')),
    created_at    TIMESTAMPTZ NOT NULL,
    due_at        TIMESTAMPTZ NOT NULL,
    closed_at     TIMESTAMPTZ,
    close_reason  TEXT,
    -- Optimistic lock: an outcome recorded against a stale version is refused.
    version       BIGINT NOT NULL DEFAULT 0,
    CHECK ((status = 'OPEN') = (closed_at IS NULL))
);
-- A member has at most one OPEN task, whichever store or campaign opened it.
CREATE UNIQUE INDEX call_task_one_open_per_member ON call_task (member_id) WHERE status = 'OPEN';
-- The call list: a store's OPEN tasks by value at risk.
CREATE INDEX call_task_store_status_value ON call_task (store_id, status, value_at_risk DESC);
