package io.memberpulse.campaign.store;

import io.memberpulse.proto.store.MissedRedisWrites;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Singleton;

/** The stores whose cached call list Redis did not drop while it could not be reached (redis_missed_call_list, V33). */
// a singleton, not a client proxy: its shared base class takes the pool and table in its only constructors
@Singleton
public class MissedCallListRepository extends MissedRedisWrites {
    public MissedCallListRepository(Pool pool) {
        super(pool, "redis_missed_call_list", "store_id");
    }
}
