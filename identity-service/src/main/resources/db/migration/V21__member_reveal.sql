-- Members' identifiers are read masked (domain.IdentifierMask); a steward sees them in full only by asking for a
-- reveal (REST GET /members/{id}[/evidence]?reveal=true, gRPC GetMember / GetEvidence with reveal), and each one is
-- recorded here, as campaign-service's contact_reveal records each phone revealed to store staff: who (the token's
-- subject), whose identifiers (the member answered, a merged member's survivor), what (member or evidence) and when.
CREATE TABLE member_reveal (
    id           BIGSERIAL PRIMARY KEY,
    member_id    TEXT NOT NULL,
    caller       TEXT NOT NULL,
    shown        TEXT NOT NULL,
    revealed_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX member_reveal_member ON member_reveal (member_id);
CREATE INDEX member_reveal_caller ON member_reveal (caller, revealed_at);
