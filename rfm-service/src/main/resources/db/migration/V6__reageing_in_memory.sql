-- The event-time instant every member was last re-aged to: a stored row that the pass found unchanged
-- but for R is read as of this instant (R recomputed from last_purchase_at), so the pass writes only
-- the rows whose windows or segments moved.
ALTER TABLE stream_clock ADD COLUMN aged_to TIMESTAMPTZ;

-- Rows written since an instant: how a replica catches up with what other replicas wrote.
CREATE INDEX member_rfm_updated ON member_rfm (updated_at);
