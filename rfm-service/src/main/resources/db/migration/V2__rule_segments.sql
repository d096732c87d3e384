-- Business-defined segments: a CEL rule over member attributes, checked on save.
CREATE TABLE rule_segment (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    expression  TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL
);
