-- Tags need each line's product and category path (behaviour and interest families).
ALTER TABLE purchase_line ADD COLUMN sku TEXT, ADD COLUMN category TEXT;

-- A member's other facts (register, visit, review, coupon, profile hints on any event), once per
-- (source, event_id) like purchase lines, so a MemberSplit can move them by event key.
CREATE TABLE member_activity (
    source       TEXT NOT NULL,
    event_id     TEXT NOT NULL,
    member_id    TEXT NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('register', 'visit', 'review', 'coupon_issued', 'coupon_redeemed', 'profile')),
    occurred_at  TIMESTAMPTZ NOT NULL,
    store_id     TEXT,
    category     TEXT,
    rating       INTEGER NOT NULL DEFAULT 0,
    review_text  TEXT,
    gender       TEXT,
    birth_date   TEXT,
    city         TEXT,
    PRIMARY KEY (source, event_id)
);
CREATE INDEX member_activity_member ON member_activity (member_id, occurred_at);

-- Members absorbed by a MemberMerged: events still arriving under the old id count for the survivor.
CREATE TABLE member_alias (
    absorbed_member_id  TEXT PRIMARY KEY,
    surviving_member_id TEXT NOT NULL
);
CREATE INDEX member_alias_survivor ON member_alias (surviving_member_id);

-- Identity changes already applied (member.merges is at-least-once): a re-delivery changes nothing.
CREATE TABLE identity_change_applied (
    change_key  TEXT PRIMARY KEY,
    applied_at  TIMESTAMPTZ NOT NULL
);
