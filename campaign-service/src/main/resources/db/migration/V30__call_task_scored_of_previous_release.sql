-- V27's default (true) made every call the release before it opens look scored: beside a surged pod or after a
-- rollback, a call for a member churn-service never scored read "churn risk 0%, value at risk ¥0" again. Without a
-- default, that release's insert leaves scored NULL and the trigger derives it as V27 did: scored when the member has
-- a score. This release always writes it; NOT NULL is checked after the trigger, so it stays.
ALTER TABLE call_task ALTER COLUMN scored DROP DEFAULT;

CREATE FUNCTION call_task_scored_of_previous_release() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.scored IS NULL THEN
        NEW.scored := EXISTS (SELECT 1 FROM member_risk r WHERE r.member_id = NEW.member_id);
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER call_task_scored_of_previous_release BEFORE INSERT ON call_task
    FOR EACH ROW EXECUTE FUNCTION call_task_scored_of_previous_release();
