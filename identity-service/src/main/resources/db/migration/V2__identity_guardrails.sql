-- Values found to be placeholders (blocked or seen with too many people): they never link again.
CREATE TABLE quarantined_identifier (
    type            TEXT NOT NULL,
    value           TEXT NOT NULL,
    quarantined_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (type, value)
);

-- Past holding periods of identifiers that moved to another member (a phone re-issued by the
-- carrier): the validity in time of every link is kept, nothing is deleted.
CREATE TABLE member_identifier_period (
    type          TEXT NOT NULL,
    value         TEXT NOT NULL,
    member_id     TEXT NOT NULL REFERENCES member (id),
    first_seen    TIMESTAMPTZ NOT NULL,
    last_seen     TIMESTAMPTZ NOT NULL,
    ended_at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX member_identifier_period_value ON member_identifier_period (type, value);
CREATE INDEX member_identifier_period_member ON member_identifier_period (member_id);

-- An order line that another channel already reported (a delivery order rung up at the till):
-- the key "source:event_id" of the first report. Such a line is published with duplicate_order.
ALTER TABLE channel_event ADD COLUMN duplicate_of TEXT;
CREATE INDEX channel_event_store_orders ON channel_event (store_id, occurred_at) WHERE type = 'order';

-- The device an event came from (weak evidence, never a link), for the device online rate.
ALTER TABLE channel_event ADD COLUMN device_id TEXT;
CREATE INDEX channel_event_store ON channel_event (store_id);

-- The distinct stores each strong value was seen at: a value seen at too many stores across imports
-- is a placeholder (automatic detection that does not depend on how a file was cut into batches).
CREATE TABLE identifier_store (
    type      TEXT NOT NULL,
    value     TEXT NOT NULL,
    store_id  TEXT NOT NULL,
    PRIMARY KEY (type, value, store_id)
);
