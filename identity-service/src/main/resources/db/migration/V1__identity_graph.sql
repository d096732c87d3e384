-- Members and the identifiers that point at them. Nothing is ever deleted: a merged member keeps
-- its row and points at the survivor (merged_into).
CREATE TABLE member (
    id            TEXT PRIMARY KEY,
    created_at    TIMESTAMPTZ NOT NULL,
    merged_into   TEXT REFERENCES member (id)
);

-- One row per normalised identifier value (phones in E.164). A value links to one member at a time.
CREATE TABLE member_identifier (
    type          TEXT NOT NULL,
    value         TEXT NOT NULL,
    member_id     TEXT NOT NULL REFERENCES member (id),
    first_seen    TIMESTAMPTZ NOT NULL,
    last_seen     TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (type, value)
);
CREATE INDEX member_identifier_member ON member_identifier (member_id);

-- Every accepted event, once per (source, event_id): re-delivery changes nothing.
CREATE TABLE channel_event (
    source        TEXT NOT NULL,
    event_id      TEXT NOT NULL,
    member_id     TEXT REFERENCES member (id),
    type          TEXT NOT NULL,
    occurred_at   TIMESTAMPTZ NOT NULL,
    store_id      TEXT,
    order_id      TEXT,
    payload       BYTEA NOT NULL,
    accepted_at   TIMESTAMPTZ NOT NULL,
    -- Set once member.events acknowledged the event; the relay republishes rows left unset.
    published_at  TIMESTAMPTZ,
    PRIMARY KEY (source, event_id)
);
CREATE INDEX channel_event_member ON channel_event (member_id);
CREATE INDEX channel_event_unpublished ON channel_event (accepted_at) WHERE published_at IS NULL;
