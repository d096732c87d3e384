-- Why members became one: every merge with its rule or score, the identifiers and the event that
-- caused it. Nothing is deleted by a merge: the absorbed member points at the survivor (member.merged_into),
-- its events keep their member_id; the current member of an event is found by following merged_into.
CREATE TABLE member_merge (
    id                   TEXT PRIMARY KEY,
    surviving_member_id  TEXT NOT NULL REFERENCES member (id),
    absorbed_member_id   TEXT NOT NULL REFERENCES member (id),
    rule                 TEXT NOT NULL,
    score                DOUBLE PRECISION NOT NULL,
    identifiers          TEXT[] NOT NULL,
    reasons              TEXT[] NOT NULL,
    event_key            TEXT,
    occurred_at          TIMESTAMPTZ,
    merged_at            TIMESTAMPTZ NOT NULL,
    -- set when a split undid this merge
    undone_by            TEXT
);
CREATE INDEX member_merge_surviving ON member_merge (surviving_member_id);
CREATE INDEX member_merge_absorbed ON member_merge (absorbed_member_id);
CREATE INDEX member_merge_merged_into ON member (merged_into) WHERE merged_into IS NOT NULL;

-- A member undone into parts: the listed events moved to new members (channel_event.member_id re-pointed).
CREATE TABLE member_split (
    id                   TEXT PRIMARY KEY,
    original_member_id   TEXT NOT NULL REFERENCES member (id),
    reason               TEXT NOT NULL,
    split_at             TIMESTAMPTZ NOT NULL
);

-- Negative evidence: two members a split separated never merge again on the same evidence.
CREATE TABLE member_cannot_link (
    member_a  TEXT NOT NULL REFERENCES member (id),
    member_b  TEXT NOT NULL REFERENCES member (id),
    split_id  TEXT NOT NULL REFERENCES member_split (id),
    PRIMARY KEY (member_a, member_b)
);

-- Outbox of topic member.merges (MemberIdentityChange, protobuf): written in the transaction that
-- merges or splits, published after commit; the relay republishes rows left unpublished.
CREATE TABLE identity_change (
    id            BIGSERIAL PRIMARY KEY,
    member_key    TEXT NOT NULL,
    payload       BYTEA NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL,
    published_at  TIMESTAMPTZ
);
CREATE INDEX identity_change_unpublished ON identity_change (id) WHERE published_at IS NULL;
