-- What call-list talking points need from member.events: where each line was bought and what.
-- Rows stored before this migration keep nulls (they show no store or items).
ALTER TABLE member_purchase ADD COLUMN store_id TEXT, ADD COLUMN sku TEXT, ADD COLUMN category TEXT,
    ADD COLUMN quantity DOUBLE PRECISION;

-- Coupons as member.events report them: issued to a member, redeemed (by anyone: a coupon id is
-- not an identity). Either event may arrive first; the issue decides whose coupon it is.
CREATE TABLE member_coupon (
    coupon_id     TEXT PRIMARY KEY,
    member_id     TEXT NOT NULL,
    campaign_id   TEXT,
    coupon_value  DOUBLE PRECISION,
    issued_at     TIMESTAMPTZ,
    redeemed_at   TIMESTAMPTZ
);
CREATE INDEX member_coupon_open ON member_coupon (member_id) WHERE redeemed_at IS NULL;

-- Every store seen on member.events or churn.scores: an id outside this set is an unknown store.
CREATE TABLE known_store (
    store_id    TEXT PRIMARY KEY,
    first_seen  TIMESTAMPTZ NOT NULL
);

-- Event time: the newest occurred_at seen on member.events (one row). Talking points are "as of" it,
-- so that recency means the same on replayed history as on live data.
CREATE TABLE event_clock (
    id  INT PRIMARY KEY CHECK (id = 1),
    at  TIMESTAMPTZ NOT NULL
);
