-- V13 added followed_up_state NOT NULL without a default, so the release before it (still running during a rolling
-- upgrade, or back after a rollback) could not create a campaign. A new campaign is in PLAN with nothing to follow up,
-- which is what this code writes too; a later move by the old release leaves the column behind the state, and this
-- release runs the follow-ups in between again (each is idempotent, see V13).
ALTER TABLE campaign ALTER COLUMN followed_up_state SET DEFAULT 'PLAN';
