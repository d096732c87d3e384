-- Members whose cached row (or its removal) a Redis write missed: Redis was unreachable, the row was stored here all
-- the same. Redis may come back with its old data (a failover to a replica, a restart from its snapshot) and serve
-- the old row; the next repair of any replica (RfmCacheWrites.repairMissed) caches these members' rows from here.
-- A member missed again gets a new seq, so a repair deletes only the misses it read.
CREATE SEQUENCE redis_missed_rfm_seq;
CREATE TABLE redis_missed_rfm (
    member_id  TEXT PRIMARY KEY,
    seq        BIGINT NOT NULL
);
