-- Thresholds of the default segments changed while running (PUT /segments/{id}/thresholds). They
-- override memberpulse.rfm.segments.* for that segment on every replica; a segment without a row
-- here keeps its configured thresholds. For high-value-active and potential the values are the most
-- days since the last purchase, the fewest orders and the least spend within 30 days; for
-- churn-edge the fewest days, the most orders and the most spend.
CREATE TABLE segment_threshold (
    segment_id    TEXT PRIMARY KEY,
    recency_days  DOUBLE PRECISION NOT NULL,
    orders_30d    INTEGER NOT NULL,
    monetary_30d  DOUBLE PRECISION NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL
);
