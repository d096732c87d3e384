-- The margin rates of lines that carry none (memberpulse.rfm.default-margin-rate, category-margin-rates) are versioned
-- with the configured thresholds and lifecycle rules: weighted F and margin M of a query with definitions=asOf are
-- computed with the rates in force at asOf. category_margin_rates is MarginRates.categoryRates (category:rate pairs in
-- category order, '' for none). NULL in the rows recorded before this migration: the rates then are not known, the
-- earliest recorded are taken for them (ConfigurationHistory.marginRatesAt). A start whose last row has none records
-- its configuration again. Columns added nullable: a previous release still inserts its rows during a rolling update.
ALTER TABLE configured_definition_history
    ADD COLUMN default_margin_rate DOUBLE PRECISION,
    ADD COLUMN category_margin_rates TEXT,
    ADD CHECK ((default_margin_rate IS NULL) = (category_margin_rates IS NULL));
