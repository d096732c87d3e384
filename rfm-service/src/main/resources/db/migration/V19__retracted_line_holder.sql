-- The member that held the stored line a retraction deleted (null: none was stored when the key was retracted, or the
-- retraction is older than V19). A batch is retried whole when its recomputation fails after its facts committed (and
-- redelivered after a crash): the retry deletes nothing, so the members to recompute for its retractions are read
-- here (through member_alias when merged away since), not from what the retry's own delete returned.
ALTER TABLE purchase_line_retracted ADD COLUMN member_id TEXT;
