-- A member not reached on a call waits for its follow-up date (and only then): looked up by member, and by date for
-- a store's replan.
CREATE INDEX task_outcome_follow_up ON task_outcome (member_id, follow_up_date) WHERE NOT reached AND follow_up_date IS NOT NULL;
