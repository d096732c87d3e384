-- The store an OPEN task last moved from to the member's new home store, and when: within late-outcome-grace of the
-- move, staff of that store may still record the call they made from their list (OutcomeRules.decide). Nullable: a
-- task that never moved has neither, and the release before writes neither.
ALTER TABLE call_task ADD COLUMN moved_from_store_id TEXT;
ALTER TABLE call_task ADD COLUMN moved_at TIMESTAMPTZ;
