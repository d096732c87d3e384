-- Members erased at their request (member.merges MemberErased, PIPL Art. 47 / GDPR Art. 17), with every id merged
-- into them: their rows are deleted or anonymised (IdentityChangeRepository), and facts still arriving under one of
-- these ids are dropped, so the member is never scored, enrolled or called again.
CREATE TABLE erased_member (
    member_id  TEXT PRIMARY KEY,
    erased_at  TIMESTAMPTZ NOT NULL
);
