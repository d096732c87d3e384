-- Intervention outcomes from intervention.outcomes are member facts too (kind 'intervention':
-- amount 1 when staff reached the member, review_text the result), so the next training run sees
-- them as treatment-flagged examples.
ALTER TABLE member_activity DROP CONSTRAINT member_activity_kind_check;
ALTER TABLE member_activity ADD CONSTRAINT member_activity_kind_check
    CHECK (kind IN ('review', 'coupon_issued', 'coupon_redeemed', 'visit', 'intervention'));

-- Stock-outs reported by stores (member.events records of type STOCKOUT without a member), for the
-- stock-out exposure feature: a store's missing product in the member's categories.
CREATE TABLE store_stockout (
    source       TEXT NOT NULL,
    event_id     TEXT NOT NULL,
    store_id     TEXT NOT NULL,
    occurred_at  TIMESTAMPTZ NOT NULL,
    sku          TEXT,
    category     TEXT,
    PRIMARY KEY (source, event_id)
);
CREATE INDEX store_stockout_store ON store_stockout (store_id, occurred_at);
