-- Order lines identity-service took back: a line it published as counted and later again with duplicate_order
-- (another channel's report of the same order, paired only later). Kept by key, never by member (merges re-key),
-- so a copy of the first publication consumed after the retraction (another partition, a replay) is not
-- counted again. One row per duplicate_order event, whether or not its line was ever stored.
CREATE TABLE retracted_line (
    source    TEXT NOT NULL,
    event_id  TEXT NOT NULL,
    PRIMARY KEY (source, event_id)
);
