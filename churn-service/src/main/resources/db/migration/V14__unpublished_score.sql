-- The scores churn.scores has not acknowledged, which every tick looks for (ScoreMembersService.publishUnpublished):
-- a handful at most while the broker takes them, so the index stays small; without it each look scanned every score.
CREATE INDEX churn_score_unpublished ON churn_score (member_id) WHERE published_at IS NULL;
