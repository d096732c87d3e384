-- Segment entries and exits, written in the transaction that writes the rows they come from and deleted once the
-- broker has them (SegmentOutput.publishPending, oldest first). A change is computed against the stored row it
-- replaces, so one written but never published (the service stopped, the broker was away) would otherwise be lost:
-- the next computation starts from the new row and finds nothing changed.
CREATE TABLE segment_change_outbox (
    id            BIGSERIAL PRIMARY KEY,
    member_id     TEXT NOT NULL,
    segment_id    TEXT NOT NULL,
    entered       BOOLEAN NOT NULL,
    at            TIMESTAMPTZ NOT NULL,
    home_store_id TEXT
);
