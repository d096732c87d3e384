package io.memberpulse.identity.store;

import io.memberpulse.identity.domain.IdentityHealth;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The counts of identity health of every store in one pass (for the per-store gauges and the stores
 * list), with the same definitions as {@link IdentityRepository#health}: events under their current
 * member, each reported order once, devices online within the window of the store's latest event.
 */
@ApplicationScoped
public class StoreHealthRepository {
    private final Pool pool;

    public StoreHealthRepository(Pool pool) {
        this.pool = pool;
    }

    public Uni<List<IdentityHealth>> allStores(Duration onlineWindow) {
        return pool.preparedQuery("""
                WITH ev AS (
                  SELECT e.store_id, c.current_id AS member_id, e.source, e.type, e.occurred_at, e.device_id, e.duplicate_of
                  FROM channel_event e JOIN member_current c ON c.member_id = e.member_id
                  WHERE e.store_id IS NOT NULL),
                identified AS (
                  SELECT DISTINCT c.current_id AS member_id FROM member_identifier i
                  JOIN member_current c ON c.member_id = i.member_id
                  -- a value quarantined since it was linked (a walk-in placeholder) identifies nobody
                  AND NOT EXISTS (SELECT 1 FROM quarantined_identifier q WHERE q.type = i.type AND q.value = i.value)),
                per_member AS (
                  SELECT ev.store_id, ev.member_id, count(DISTINCT ev.source) AS channels,
                         bool_or(i.member_id IS NOT NULL) AS identified
                  FROM ev LEFT JOIN identified i ON i.member_id = ev.member_id GROUP BY ev.store_id, ev.member_id),
                members AS (
                  SELECT store_id, count(*) AS members, count(*) FILTER (WHERE channels >= 2) AS multi,
                         count(*) FILTER (WHERE identified) AS identified
                  FROM per_member GROUP BY store_id),
                orders AS (
                  SELECT ev.store_id, count(*) AS lines, count(i.member_id) AS matched
                  FROM ev LEFT JOIN identified i ON i.member_id = ev.member_id
                  WHERE ev.type = 'order' AND ev.duplicate_of IS NULL GROUP BY ev.store_id),
                latest AS (SELECT store_id, max(occurred_at) AS at FROM ev GROUP BY store_id),
                devices AS (
                  SELECT ev.store_id, count(DISTINCT ev.device_id) AS devices,
                         count(DISTINCT ev.device_id) FILTER (WHERE ev.occurred_at >= l.at - make_interval(secs => $1)) AS online
                  FROM ev JOIN latest l ON l.store_id = ev.store_id GROUP BY ev.store_id)
                SELECT m.store_id, m.members, m.multi, m.identified, coalesce(o.lines, 0), coalesce(o.matched, 0),
                       coalesce(d.devices, 0), coalesce(d.online, 0)
                FROM members m LEFT JOIN orders o ON o.store_id = m.store_id LEFT JOIN devices d ON d.store_id = m.store_id
                ORDER BY m.store_id""")
                .execute(Tuple.of((double) onlineWindow.toSeconds()))
                .map(rows -> {
                    List<IdentityHealth> stores = new ArrayList<>(rows.size());
                    for (Row row : rows) {
                        stores.add(new IdentityHealth(row.getString(0), row.getLong(1), row.getLong(2), row.getLong(3),
                                row.getLong(4), row.getLong(5), row.getLong(6), row.getLong(7)));
                    }
                    return stores;
                });
    }
}
