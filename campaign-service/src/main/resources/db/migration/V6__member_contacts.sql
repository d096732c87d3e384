-- How staff reach a member: the latest phone seen on member.events, kept only in masked form.
CREATE TABLE member_contact (
    member_id     TEXT PRIMARY KEY,
    masked_phone  TEXT NOT NULL,
    seen_at       TIMESTAMPTZ NOT NULL
);
