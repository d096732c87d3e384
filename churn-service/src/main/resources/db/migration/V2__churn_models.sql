-- What the trained models read besides amounts: the product, category, quantity and deduction of
-- each order line (absent on rows recorded before V2).
ALTER TABLE purchase_line
    ADD COLUMN sku       TEXT,
    ADD COLUMN category  TEXT,
    ADD COLUMN quantity  DOUBLE PRECISION,
    ADD COLUMN discount  DOUBLE PRECISION;

-- Member facts that are not purchases: reviews, coupons issued and redeemed, store visits.
CREATE TABLE member_activity (
    source       TEXT NOT NULL,
    event_id     TEXT NOT NULL,
    member_id    TEXT NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('review', 'coupon_issued', 'coupon_redeemed', 'visit')),
    occurred_at  TIMESTAMPTZ NOT NULL,
    order_id     TEXT,
    store_id     TEXT,
    amount       DOUBLE PRECISION,
    rating       INTEGER,
    review_text  TEXT,
    PRIMARY KEY (source, event_id)
);
CREATE INDEX member_activity_member ON member_activity (member_id, occurred_at);

-- The loyalty / POS member number a member was last seen with (batch-score CSV).
CREATE TABLE member_number (
    member_id  TEXT PRIMARY KEY,
    member_no  TEXT NOT NULL
);

-- Trained model versions: the model, the population it scores against, its report and picture.
-- At most one is promoted: it scores members; the others are kept for comparison.
CREATE TABLE churn_model (
    version          TEXT PRIMARY KEY,
    kind             TEXT NOT NULL,
    trained_at       TIMESTAMPTZ NOT NULL,
    as_of            TIMESTAMPTZ NOT NULL,
    horizon_days     INTEGER NOT NULL,
    promoted         BOOLEAN NOT NULL DEFAULT FALSE,
    promoted_at      TIMESTAMPTZ,
    validation_auc   DOUBLE PRECISION NOT NULL,
    validation_lift  DOUBLE PRECISION NOT NULL,
    decision         TEXT NOT NULL,
    report           TEXT NOT NULL,
    reliability_png  BYTEA NOT NULL,
    model            BYTEA NOT NULL,
    population       BYTEA NOT NULL
);
CREATE UNIQUE INDEX churn_model_one_promoted ON churn_model (promoted) WHERE promoted;
