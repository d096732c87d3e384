-- Members erased at their request (member.merges MemberErased): the member and every id merged into it. Their rows
-- are deleted when the erasure is applied; the ids are kept so that a fact consumed later naming one of them
-- (member.events, intervention.outcomes, directly or through a split's owner) is dropped rather than recorded, and a
-- merge or split replayed later that names one moves nothing. Ids only: no name, number or text.
CREATE TABLE erased_member (
    member_id   TEXT PRIMARY KEY,
    erased_at   TIMESTAMPTZ NOT NULL
);
