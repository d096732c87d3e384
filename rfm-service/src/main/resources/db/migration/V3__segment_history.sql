-- Segment sizes as of each event-time day, for "segment sizes over time".
CREATE TABLE segment_size_history (
    day         DATE NOT NULL,
    segment_id  TEXT NOT NULL,
    size        BIGINT NOT NULL,
    PRIMARY KEY (day, segment_id)
);
-- Orders per member in time order: the dashboards' repurchase and funnel queries.
CREATE INDEX purchase_line_order ON purchase_line (member_id, order_id, occurred_at) WHERE kind = 'order';
