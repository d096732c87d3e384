package io.memberpulse.rfm.store;

import io.memberpulse.proto.store.MissedRedisWrites;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Singleton;

/** The members whose cached RFM row Redis missed while it could not be reached (redis_missed_rfm, V21). */
// a singleton, not a client proxy: its shared base class takes the pool and table in its only constructor
@Singleton
public class MissedRfmRepository extends MissedRedisWrites {
    public MissedRfmRepository(Pool pool) {
        super(pool, "redis_missed_rfm");
    }
}
