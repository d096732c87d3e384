-- Campaigns with a holdout group. Members are assigned by a hash of (campaign, member), so the stored
-- arm is a record of what the function gave, never a second source of truth.
CREATE TABLE campaign (
    id                      TEXT PRIMARY KEY,
    name                    TEXT NOT NULL,
    target_min_probability  DOUBLE PRECISION NOT NULL,
    target_store_id         TEXT,
    content                 TEXT NOT NULL DEFAULT '',
    channel                 TEXT NOT NULL,
    offer                   TEXT NOT NULL DEFAULT '',
    cost_per_touch          DOUBLE PRECISION NOT NULL,
    coupon_value            DOUBLE PRECISION NOT NULL,
    start_at                TIMESTAMPTZ NOT NULL,
    end_at                  TIMESTAMPTZ NOT NULL,
    holdout_share           DOUBLE PRECISION NOT NULL,
    variants                TEXT NOT NULL DEFAULT '',
    state                   TEXT NOT NULL CHECK (state IN ('PLAN', 'LIVE', 'REVIEW', 'CLOSED')),
    created_at              TIMESTAMPTZ NOT NULL,
    version                 BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE campaign_member (
    campaign_id  TEXT NOT NULL REFERENCES campaign (id),
    member_id    TEXT NOT NULL,
    store_id     TEXT,
    arm          TEXT NOT NULL CHECK (arm IN ('TREATED', 'HOLDOUT')),
    variant      TEXT,
    enrolled_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (campaign_id, member_id)
);

-- What members bought (from member.events), to judge campaigns: orders, refunds, coupon redemptions.
CREATE TABLE member_purchase (
    source       TEXT NOT NULL,
    event_id     TEXT NOT NULL,
    member_id    TEXT NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('order', 'refund', 'coupon_redeemed')),
    order_id     TEXT,
    campaign_id  TEXT,
    occurred_at  TIMESTAMPTZ NOT NULL,
    amount       DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (source, event_id)
);
CREATE INDEX member_purchase_member ON member_purchase (member_id, occurred_at);
