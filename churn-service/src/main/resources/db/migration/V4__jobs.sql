-- Training and batch scoring run as jobs: started by a request, run in the background on one replica,
-- followed by any replica (progress, outcome, the scores CSV). A job whose replica stops stops beating:
-- its heartbeat grows old and it is reported as lost.
CREATE TABLE churn_job (
    id              UUID PRIMARY KEY,
    kind            TEXT NOT NULL CHECK (kind IN ('training', 'batch-score')),
    state           TEXT NOT NULL CHECK (state IN ('queued', 'running', 'succeeded', 'failed')),
    as_of           TIMESTAMPTZ,          -- null: the event clock when the job starts
    horizon_days    INTEGER NOT NULL,
    stage           TEXT,
    done            INTEGER NOT NULL DEFAULT 0,
    total           INTEGER NOT NULL DEFAULT 0,
    result          TEXT,                 -- JSON: the training outcome, or the batch's size and model
    problem_status  INTEGER,              -- failed: the HTTP status the error would have had
    problem_detail  TEXT,
    scores_csv_gz   BYTEA,                -- batch-score: member_id,member_no,churn_probability, gzip
    created_at      TIMESTAMPTZ NOT NULL,
    started_at      TIMESTAMPTZ,
    finished_at     TIMESTAMPTZ,
    heartbeat_at    TIMESTAMPTZ NOT NULL
);
CREATE INDEX churn_job_created ON churn_job (created_at DESC);
