-- Every version of the segment definitions that come from configuration (memberpulse.rfm.segments.*: the default
-- segments' thresholds before any change made while running; memberpulse.rfm.lifecycle.*: the lifecycle stage rules),
-- so a query as of a past instant with definitions=asOf judges by the configuration in force then, as it does by the
-- rules and thresholds of segment_definition_history. A row is recorded when a replica starts with a configuration that
-- differs from the last row (seq order), under a lock on this table so that replicas starting together record it once;
-- it is in force from valid_from (the service's clock at that start, never before the previous row's) until the next
-- row's. Before the first row the earliest is taken as in force. New table only: the release before never reads it.
CREATE TABLE configured_definition_history (
    seq                          BIGSERIAL PRIMARY KEY,
    valid_from                   TIMESTAMPTZ NOT NULL,
    high_value_active_recency    DOUBLE PRECISION NOT NULL,
    high_value_active_orders_30d INTEGER NOT NULL,
    high_value_active_monetary   DOUBLE PRECISION NOT NULL,
    potential_recency            DOUBLE PRECISION NOT NULL,
    potential_orders_30d         INTEGER NOT NULL,
    potential_monetary           DOUBLE PRECISION NOT NULL,
    churn_edge_recency           DOUBLE PRECISION NOT NULL,
    churn_edge_orders_30d        INTEGER NOT NULL,
    churn_edge_monetary          DOUBLE PRECISION NOT NULL,
    dormant_days                 DOUBLE PRECISION NOT NULL,
    at_risk_days                 DOUBLE PRECISION NOT NULL,
    loyal_orders_90d             INTEGER NOT NULL,
    loyal_monetary_90d           DOUBLE PRECISION NOT NULL
);
