-- Members absorbed by a MemberMerged (member.merges): each points at its final survivor, so churn scores and
-- member events still arriving under the old id are recorded for the survivor, and a merge into a member that
-- was itself absorbed later lands on that later survivor (see domain.identity.MemberAliases). merged_at is
-- when this member was absorbed. Campaign enrolments (campaign_member) are never re-keyed.
CREATE TABLE member_alias (
    absorbed_member_id   TEXT PRIMARY KEY,
    surviving_member_id  TEXT NOT NULL,
    merged_at            TIMESTAMPTZ NOT NULL
);
CREATE INDEX member_alias_survivor ON member_alias (surviving_member_id);

-- Identity changes already applied (member.merges is at-least-once): a re-delivery moves nothing.
CREATE TABLE identity_change_applied (
    change_key  TEXT PRIMARY KEY,
    applied_at  TIMESTAMPTZ NOT NULL
);
