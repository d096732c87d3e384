-- The stored order lines an import compares a new one with (IdentityRepository.orderLinesNear): at its
-- store within the window, from another channel, neither a duplicate nor the original of one. This
-- index holds only lines that are not duplicates, with their channel and key, so that the orders of a
-- store around a time are filtered without reading the table; it replaces channel_event_store_orders.
CREATE INDEX channel_event_order_lines ON channel_event (store_id, occurred_at) INCLUDE (source, event_id)
    WHERE type = 'order' AND duplicate_of IS NULL;
DROP INDEX channel_event_store_orders;
-- The originals of the duplicates already found, by the duplicate's duplicate_of ("source:event_id").
CREATE INDEX channel_event_duplicate_of ON channel_event (duplicate_of) WHERE duplicate_of IS NOT NULL;
