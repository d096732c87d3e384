-- The stored order lines an import compares new ones with leave out the originals of a duplicate already
-- found (an order is the duplicate of at most one other): looked up by the duplicate's duplicate_of.
CREATE INDEX channel_event_duplicate_of ON channel_event (duplicate_of) WHERE duplicate_of IS NOT NULL;
