package io.memberpulse.rfm.store;

import io.memberpulse.rfm.domain.StoreRegion;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;

/** The store directory (store_region): each store's region, set by analysts, read by the region comparison. */
@ApplicationScoped
public class StoreDirectoryRepository {
    private final Pool pool;

    public StoreDirectoryRepository(Pool pool) {
        this.pool = pool;
    }

    /** Sets the store's region (a store not in the directory yet is added); the entry as stored. */
    public Uni<StoreRegion.Assigned> put(StoreRegion entry) {
        return pool.preparedQuery("""
                INSERT INTO store_region (store_id, region, updated_at) VALUES ($1, $2, now())
                ON CONFLICT (store_id) DO UPDATE SET region = EXCLUDED.region, updated_at = EXCLUDED.updated_at
                RETURNING store_id, region, updated_at""")
                .execute(Tuple.of(entry.storeId(), entry.region())).map(rows -> assigned(rows.iterator().next()));
    }

    /** Removes the store's entry; false when it had none. */
    public Uni<Boolean> delete(String storeId) {
        return pool.preparedQuery("DELETE FROM store_region WHERE store_id = $1").execute(Tuple.of(storeId))
                .map(result -> result.rowCount() == 1);
    }

    /** Every store in the directory, in store id order. */
    public Uni<List<StoreRegion.Assigned>> all() {
        return pool.query("SELECT store_id, region, updated_at FROM store_region ORDER BY store_id").execute().map(rows -> {
            List<StoreRegion.Assigned> entries = new ArrayList<>();
            for (Row row : rows) {
                entries.add(assigned(row));
            }
            return entries;
        });
    }

    private static StoreRegion.Assigned assigned(Row row) {
        return new StoreRegion.Assigned(row.getString(0), row.getString(1), row.getOffsetDateTime(2).toInstant());
    }
}
