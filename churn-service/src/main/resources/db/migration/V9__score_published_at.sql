-- When churn.scores acknowledged the stored score; NULL while it is not known to have been sent (the send failed, or
-- the replica died before the broker's ack). A score written is worth publishing again until then, whether or not it
-- moved: the re-run or redelivered batch, or the next full refresh, sends it. Scores stored before this column were
-- sent or dropped unknowingly: they count as sent, as they did, rather than flood churn.scores with every member.
ALTER TABLE churn_score ADD COLUMN published_at TIMESTAMPTZ;
UPDATE churn_score SET published_at = scored_at;
