-- Net purchase facts per member, once per (source, event_id): the source of every R, F and M.
CREATE TABLE purchase_line (
    source          TEXT NOT NULL,
    event_id        TEXT NOT NULL,
    member_id       TEXT NOT NULL,
    order_id        TEXT NOT NULL,
    kind            TEXT NOT NULL CHECK (kind IN ('order', 'refund')),
    occurred_at     TIMESTAMPTZ NOT NULL,
    store_id        TEXT,
    paid_amount     DOUBLE PRECISION NOT NULL DEFAULT 0,
    discount_amount DOUBLE PRECISION NOT NULL DEFAULT 0,
    margin_rate     DOUBLE PRECISION,
    refund_amount   DOUBLE PRECISION NOT NULL DEFAULT 0,
    PRIMARY KEY (source, event_id)
);
CREATE INDEX purchase_line_member ON purchase_line (member_id, occurred_at);

-- Each member's RFM as last computed (as_of = the stream's event-time clock then).
CREATE TABLE member_rfm (
    member_id              TEXT PRIMARY KEY,
    as_of                  TIMESTAMPTZ NOT NULL,
    last_purchase_at       TIMESTAMPTZ,
    recency_days           DOUBLE PRECISION,
    frequency_7d           INTEGER NOT NULL,
    frequency_14d          INTEGER NOT NULL,
    frequency_30d          INTEGER NOT NULL,
    frequency_90d          INTEGER NOT NULL,
    weighted_frequency_30d DOUBLE PRECISION NOT NULL,
    weighted_frequency_90d DOUBLE PRECISION NOT NULL,
    monetary_net_30d       DOUBLE PRECISION NOT NULL,
    monetary_net_90d       DOUBLE PRECISION NOT NULL,
    monetary_margin_90d    DOUBLE PRECISION NOT NULL,
    orders_total           BIGINT NOT NULL,
    monetary_net_total     DOUBLE PRECISION NOT NULL,
    home_store_id          TEXT,
    segments               TEXT[] NOT NULL DEFAULT '{}',
    updated_at             TIMESTAMPTZ NOT NULL
);
CREATE INDEX member_rfm_segments ON member_rfm USING GIN (segments);

-- The event-time clock: the latest occurred_at seen on member.events.
CREATE TABLE stream_clock (
    id         SMALLINT PRIMARY KEY CHECK (id = 1),
    watermark  TIMESTAMPTZ NOT NULL
);
