-- How many times a scheduled retraining was started: one whose replica stopped (a rollout, a scale-in, a drain)
-- is started again by another replica, a bounded number of times (a run that kills its pod must not loop).
ALTER TABLE churn_job ADD COLUMN attempts INTEGER NOT NULL DEFAULT 1;
