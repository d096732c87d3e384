-- An OPEN task past its due time is escalated once (to the store manager's manager, via alerting).
ALTER TABLE call_task ADD COLUMN escalated_at TIMESTAMPTZ;
CREATE INDEX call_task_overdue ON call_task (due_at) WHERE status = 'OPEN';
