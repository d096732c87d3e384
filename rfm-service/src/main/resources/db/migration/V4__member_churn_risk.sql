-- Each member's latest churn probability (from churn.scores), for the risk tags.
CREATE TABLE member_churn_risk (
    member_id    TEXT PRIMARY KEY,
    probability  DOUBLE PRECISION NOT NULL,
    as_of        TIMESTAMPTZ NOT NULL
);
