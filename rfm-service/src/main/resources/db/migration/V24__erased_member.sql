-- Members erased at their request (MemberErased on member.merges: PIPL Art. 47 / GDPR Art. 17), the member and every
-- member merged into it: their rows are deleted, and facts arriving later under these ids (member.events, churn.scores)
-- are dropped, not recorded, nor dead-lettered. Only the id is kept; erased_at is this database's clock when the erasure
-- was applied, so that a replica catching up reads it as a removal (MemberRowRepository.removedSince).
CREATE TABLE erased_member (
    member_id  TEXT PRIMARY KEY,
    erased_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX erased_member_at ON erased_member (erased_at);
