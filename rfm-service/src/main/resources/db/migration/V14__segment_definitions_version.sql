-- The version of the segment definitions (rule_segment, segment_threshold): raised in the transaction that stores any
-- change to them. Every replica knows the version of the definitions it computes with, and each transaction that writes
-- member rows holds this row FOR SHARE and compares: a replica that has not picked up a change yet writes nothing
-- computed with the old definitions (it reloads them and computes again), and a change waits for the writes in flight.
CREATE TABLE segment_definitions (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    version BIGINT NOT NULL
);
INSERT INTO segment_definitions (id, version) VALUES (1, 0);
