-- Members whose score (or its removal) a Redis write missed: Redis was unreachable, the score was stored here all the
-- same. Redis may come back with its old data (a failover to a replica, a restart from its snapshot), which would
-- serve the old score and a ranking still marked complete; the next tick of any replica takes these members and the
-- completeness mark out of Redis (ScoreCacheWrites.repairMissed), then the refill caches them from here. A member
-- missed again gets a new seq, so a repair deletes only the misses it read.
CREATE SEQUENCE redis_missed_score_seq;
CREATE TABLE redis_missed_score (
    member_id  TEXT PRIMARY KEY,
    seq        BIGINT NOT NULL
);
