-- A member entering a calling segment before churn-service scored them gets a call with nothing known at risk: its
-- probability and value were stored as 0 and read as "churn risk 0%", "value at risk ¥0". They stay 0 for ranking (the
-- call comes after the scored ones), and scored = false says they are unknown (absent over REST and gRPC, no risk
-- talking points). The next score of the member re-ranks the task and makes it scored. Open tasks of members with
-- no score yet are the unscored ones opened before this migration.
ALTER TABLE call_task ADD COLUMN scored BOOLEAN NOT NULL DEFAULT true;
UPDATE call_task t SET scored = false
WHERE t.status = 'OPEN' AND t.probability = 0 AND t.member_value = 0
  AND NOT EXISTS (SELECT 1 FROM member_risk r WHERE r.member_id = t.member_id);
