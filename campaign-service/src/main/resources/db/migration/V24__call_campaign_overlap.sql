-- Members a call campaign did not enrol because another call campaign whose window overlaps its own had enrolled them
-- first: a call task counts for one campaign, so a member in both would be called for one while the other counted them
-- as treated without the call or its cost (or held them out while the other treated them). Their number is in the
-- campaign's results (excludedForOverlap).
CREATE TABLE campaign_overlap_exclusion (
    campaign_id  TEXT NOT NULL REFERENCES campaign (id),
    member_id    TEXT NOT NULL,
    enrolled_in  TEXT NOT NULL REFERENCES campaign (id),
    excluded_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (campaign_id, member_id)
);
