-- The stored order lines an import compares a new one with are those of the other channels: keyed by
-- channel as well, each look-up reads only those lines (one range per other channel) instead of every
-- line at the store around that time and dropping its own channel's on the heap. The same channel's
-- lines were most of what was read (the benchmark's copies repeat each order at the same store and
-- time), and they grew with the table. Replaces channel_event_order_lines (V13).
CREATE INDEX channel_event_order_lines_by_source ON channel_event (store_id, source, occurred_at) INCLUDE (event_id)
    WHERE type = 'order' AND duplicate_of IS NULL;
DROP INDEX channel_event_order_lines;
