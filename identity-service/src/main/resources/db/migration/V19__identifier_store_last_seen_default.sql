-- V17 made last_seen NOT NULL without a default, so the release before it, whose insert names only (type, value,
-- store_id), failed every batch that saw an identifier at a store after a rollback or beside a surged pod. Its rows now
-- take the time of the write: never before the event on a live feed (a history imported by that release counts its
-- stores for one stores-window longer, as V17's own unknown rows do). This release always writes last_seen itself.
ALTER TABLE identifier_store ALTER COLUMN last_seen SET DEFAULT now();
