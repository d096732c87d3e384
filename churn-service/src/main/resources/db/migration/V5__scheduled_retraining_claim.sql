-- Scheduled retraining fires on every churn-service replica at the same cron instant; the first replica
-- to record a job for that instant runs it, the others see the slot taken and skip (one nightly run, not
-- one per replica).
ALTER TABLE churn_job ADD COLUMN scheduled_for TIMESTAMPTZ;
CREATE UNIQUE INDEX churn_job_scheduled_for ON churn_job (scheduled_for) WHERE scheduled_for IS NOT NULL;
