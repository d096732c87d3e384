-- Stores whose cached call list Redis was not told to drop (an outcome recorded, tasks replanned) because it could not
-- be reached: the change is stored here all the same. Redis may come back with the list it held (it was only
-- unreachable, or restarted from its snapshot), showing a task already called or cancelled until the list's TTL; the
-- repair of any replica (CallListCache.repairMissed) drops these stores' lists once Redis answers. A store missed again
-- gets a new seq, so a repair deletes only the misses it read.
CREATE SEQUENCE redis_missed_call_list_seq;
CREATE TABLE redis_missed_call_list (
    store_id   TEXT PRIMARY KEY,
    seq        BIGINT NOT NULL
);
