-- Store staff must dial the members their call list names, and cannot read identity-service. The full phone, as
-- last reported on member.events, is kept beside the masked one (null where only a masked phone was reported) and is
-- never on a call list: staff of the task's store ask for it per OPEN task (POST /tasks/{id}/contact, gRPC
-- RevealContact), and each such reveal is recorded in contact_reveal, so who saw which member's number, and when, can
-- be told afterwards. It moves with merges and splits exactly as the masked phone does (IdentityChangeRepository).
ALTER TABLE member_contact ADD COLUMN phone TEXT;

-- The POS / loyalty member number last reported for a member, shown on call-list entries so that staff find the
-- member in their POS; kept with the event that reported it, as member_contact's phone, for a later MemberSplit.
CREATE TABLE member_number (
    member_id  TEXT PRIMARY KEY,
    member_no  TEXT NOT NULL,
    seen_at    TIMESTAMPTZ NOT NULL,
    source     TEXT,
    event_id   TEXT
);
CREATE INDEX member_number_event ON member_number (source, event_id);

-- Every full phone revealed: the task, its member, the caller (the token's subject) and when.
CREATE TABLE contact_reveal (
    id           BIGSERIAL PRIMARY KEY,
    task_id      TEXT NOT NULL,
    member_id    TEXT NOT NULL,
    caller       TEXT NOT NULL,
    revealed_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX contact_reveal_task ON contact_reveal (task_id);
