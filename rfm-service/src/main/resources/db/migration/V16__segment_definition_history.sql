-- Every version of the segment definitions changed while running (rule_segment, segment_threshold), so a query as of a
-- past instant (GET /members/{id}/rfm?asOf=, gRPC GetMemberRfm as_of) evaluates the definitions in force then. A row is
-- one version of one segment's definition: a rule (name, expression) or a default segment's thresholds, in force from
-- valid_from until valid_to (NULL: still in force). Times are the service's wall clock at the change, the instant the
-- change took effect; a retired rule's last row is closed and no new one opened. Written in the transaction that
-- stores the change (RuleSegmentRepository). Add only: a previous release keeps working on rule_segment and
-- segment_threshold (changes it makes during a rolling update are not recorded here).
CREATE TABLE segment_definition_history (
    seq           BIGSERIAL PRIMARY KEY,
    kind          TEXT NOT NULL CHECK (kind IN ('rule', 'thresholds')),
    segment_id    TEXT NOT NULL,
    name          TEXT,
    expression    TEXT,
    recency_days  DOUBLE PRECISION,
    orders_30d    INTEGER,
    monetary_30d  DOUBLE PRECISION,
    valid_from    TIMESTAMPTZ NOT NULL,
    valid_to      TIMESTAMPTZ,
    CHECK (valid_to IS NULL OR valid_to >= valid_from),
    CHECK (kind <> 'rule' OR (name IS NOT NULL AND expression IS NOT NULL)),
    CHECK (kind <> 'thresholds' OR (recency_days IS NOT NULL AND orders_30d IS NOT NULL AND monetary_30d IS NOT NULL))
);
CREATE INDEX segment_definition_history_open ON segment_definition_history (kind, segment_id) WHERE valid_to IS NULL;

-- What is stored now, as in force since it was stored: earlier texts of rules edited and rules retired before this
-- migration are not known (a rule's current text stands from its creation; thresholds from their last change, the
-- configured ones before).
INSERT INTO segment_definition_history (kind, segment_id, name, expression, valid_from)
SELECT 'rule', id, name, expression, created_at FROM rule_segment;
INSERT INTO segment_definition_history (kind, segment_id, recency_days, orders_30d, monetary_30d, valid_from)
SELECT 'thresholds', segment_id, recency_days, orders_30d, monetary_30d, updated_at FROM segment_threshold;
