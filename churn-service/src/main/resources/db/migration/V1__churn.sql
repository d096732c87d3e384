-- Purchase facts per member, once per (source, event_id); amount is paid (orders) or -refunded.
CREATE TABLE purchase_line (
    source       TEXT NOT NULL,
    event_id     TEXT NOT NULL,
    member_id    TEXT NOT NULL,
    order_id     TEXT NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('order', 'refund')),
    occurred_at  TIMESTAMPTZ NOT NULL,
    store_id     TEXT,
    amount       DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (source, event_id)
);
CREATE INDEX purchase_line_member ON purchase_line (member_id, occurred_at);

-- Each member's latest score.
CREATE TABLE churn_score (
    member_id          TEXT PRIMARY KEY,
    probability        DOUBLE PRECISION NOT NULL,
    model_version      TEXT NOT NULL,
    as_of              TIMESTAMPTZ NOT NULL,
    horizon_days       INTEGER NOT NULL,
    home_store_id      TEXT,
    member_value       DOUBLE PRECISION NOT NULL,
    recency_days       DOUBLE PRECISION,
    expected_gap_days  DOUBLE PRECISION,
    scored_at          TIMESTAMPTZ NOT NULL
);
CREATE INDEX churn_score_store ON churn_score (home_store_id, probability DESC);

-- The event-time clock: the latest occurred_at seen on member.events.
CREATE TABLE stream_clock (
    id         SMALLINT PRIMARY KEY CHECK (id = 1),
    watermark  TIMESTAMPTZ NOT NULL
);
