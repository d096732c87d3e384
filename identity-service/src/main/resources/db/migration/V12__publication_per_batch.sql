-- Kafka acknowledgements are tracked per imported batch, not per event: setting published_at on
-- every row rewrote each event (and, the column being in a partial index, every index entry) a
-- second time. channel_event.published_at stays (migrations only add) but is no longer written. A batch's publishable events are listed here in the import's transaction, in the
-- order they are published; the row is deleted once the broker acknowledged them all, so what is
-- left is what the relay must publish again.
CREATE TABLE unpublished_batch (
    id           BIGSERIAL PRIMARY KEY,
    accepted_at  TIMESTAMPTZ NOT NULL,
    sources      TEXT[] NOT NULL,
    event_ids    TEXT[] NOT NULL
);

INSERT INTO unpublished_batch (accepted_at, sources, event_ids)
SELECT min(accepted_at), array_agg(source ORDER BY position), array_agg(event_id ORDER BY position)
FROM (SELECT source, event_id, accepted_at, row_number() OVER (ORDER BY accepted_at, occurred_at) AS position
      FROM channel_event
      WHERE published_at IS NULL AND (member_id IS NOT NULL OR type = 'stockout')) unpublished
GROUP BY (position - 1) / 5000
ORDER BY (position - 1) / 5000;

DROP INDEX channel_event_unpublished;

-- channel_event_member_time (member_id, occurred_at) answers every look-up by member: one index
-- fewer to maintain on each inserted event.
DROP INDEX channel_event_member;
