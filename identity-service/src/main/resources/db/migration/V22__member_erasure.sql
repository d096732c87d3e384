-- Member erasure (PIPL Art. 47 / GDPR Art. 17, MemberErasureService). The member rows stay, marked erased: their events
-- keep their keys and member_id, so that the same event sent again is a duplicate and links nobody; reads, exports and
-- counts leave them out (member_current below, GraphRepository.currentMember).
ALTER TABLE member ADD COLUMN erased_at TIMESTAMPTZ;

-- What is kept of an erasure: which ids went, under which request, asked by whom, when. No identifier, profile or text.
CREATE TABLE member_erasure (
    id                   TEXT PRIMARY KEY,
    member_id            TEXT NOT NULL UNIQUE REFERENCES member (id),
    absorbed_member_ids  TEXT[] NOT NULL,
    reference            TEXT NOT NULL,
    requested_by         TEXT NOT NULL,
    erased_at            TIMESTAMPTZ NOT NULL
);
CREATE INDEX member_erasure_absorbed ON member_erasure USING gin (absorbed_member_ids);

-- V10's view without erased members: every export, health count and attribution reads members through it.
CREATE OR REPLACE VIEW member_current (member_id, current_id) AS
SELECT id, id FROM member WHERE merged_into IS NULL AND erased_at IS NULL
UNION ALL
SELECT id, member_current_of(id) FROM member WHERE merged_into IS NOT NULL AND erased_at IS NULL;
