-- What follows a campaign's move to a state (going live: enrolment and the replans of its stores; the end of a
-- call campaign: its held-out members' churn-edge calls restored and the replans) runs after the move commits.
-- followed_up_state is the latest state whose follow-ups all succeeded; while it is behind state, asking for the
-- state again (or for the next one) runs the follow-ups of the states in between again (each step is idempotent).
ALTER TABLE campaign ADD COLUMN followed_up_state TEXT
    CHECK (followed_up_state IN ('PLAN', 'LIVE', 'REVIEW', 'CLOSED'));
UPDATE campaign SET followed_up_state = state;
ALTER TABLE campaign ALTER COLUMN followed_up_state SET NOT NULL;
