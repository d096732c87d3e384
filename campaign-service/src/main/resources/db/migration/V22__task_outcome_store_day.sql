-- The call list's daily capacity counts the calls a store already recorded that day (task_outcome by store and time).
CREATE INDEX task_outcome_store_recorded ON task_outcome (store_id, recorded_at);
