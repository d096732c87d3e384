-- The last full re-scoring any replica finished: the event-time clock and the model it scored with. A replica whose
-- tick finds both unchanged skips the pass, so one replica re-scores everyone per clock move or promotion, not each.
CREATE TABLE score_refresh (
    id             SMALLINT PRIMARY KEY CHECK (id = 1),
    clock          TIMESTAMPTZ NOT NULL,
    model_version  TEXT
);
