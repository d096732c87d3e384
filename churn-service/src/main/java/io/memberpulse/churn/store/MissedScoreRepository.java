package io.memberpulse.churn.store;

import io.memberpulse.proto.store.MissedRedisWrites;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Singleton;

/** The members whose score Redis missed while it could not be reached (redis_missed_score, V13). */
// a singleton, not a client proxy: its shared base class takes the pool and table in its only constructor
@Singleton
public class MissedScoreRepository extends MissedRedisWrites {
    public MissedScoreRepository(Pool pool) {
        super(pool, "redis_missed_score");
    }
}
