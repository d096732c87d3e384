-- When each strong value was last seen at each store (event time): placeholder detection counts only the stores a
-- value was seen at within memberpulse.identity.guardrails.stores-window before an event, so a loyal member who shops
-- at a 13th store over the years keeps their phone, while a walk-in phone still collects its stores within weeks.
ALTER TABLE identifier_store ADD COLUMN last_seen TIMESTAMPTZ;

-- Existing rows: the time a value was last seen at one store was never stored (an event's identifiers are only in its
-- payload), so each row takes the earlier of two times that are both never before it: the value's last use anywhere
-- (member_identifier.last_seen) and the last event at that store. No store a value was really seen at within the
-- window is dated out of it (a walk-in phone is not let off by this migration); the price is that, until one window
-- after those times, a value's older stores may still count, as all of them did before. Not the migration's wall-clock
-- time: counted against event times, that would count every store for any event up to a window after the migration,
-- and so for good for a history imported later. A row with neither (a value quarantined before it linked anyone, for
-- which nothing is counted any more) takes the migration's time.
-- Joins, not subqueries per row: one pass over each table (a subquery on the stores' last events, inlined per row,
-- could aggregate a store's events once for each of its rows).
WITH store_last AS MATERIALIZED (
    SELECT store_id, max(occurred_at) AS occurred_at FROM channel_event WHERE store_id IS NOT NULL GROUP BY store_id),
dated AS (
    SELECT s.type, s.value, s.store_id, COALESCE(LEAST(i.last_seen, l.occurred_at), now()) AS last_seen
    FROM identifier_store s
    LEFT JOIN member_identifier i ON i.type = s.type AND i.value = s.value
    LEFT JOIN store_last l ON l.store_id = s.store_id)
UPDATE identifier_store s SET last_seen = d.last_seen FROM dated d
WHERE s.type = d.type AND s.value = d.value AND s.store_id = d.store_id;

ALTER TABLE identifier_store ALTER COLUMN last_seen SET NOT NULL;
