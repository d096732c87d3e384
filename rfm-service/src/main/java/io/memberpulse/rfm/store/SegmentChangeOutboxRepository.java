package io.memberpulse.rfm.store;

import io.memberpulse.rfm.domain.SegmentChange;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * The outbox of segment changes (segment_change_outbox): queued in the transaction that writes the members' rows
 * (MemberRowRepository), published and deleted in order by SegmentOutput.
 */
@ApplicationScoped
public class SegmentChangeOutboxRepository {
    private final Pool pool;

    public SegmentChangeOutboxRepository(Pool pool) {
        this.pool = pool;
    }

    /**
     * Queues the changes of these members (those whose row the caller's transaction wrote or removed) in the outbox,
     * in their order: committed with the rows, so they are published even if this replica stops, or the broker is
     * away, before its output runs. For one member a later write queues later (it waits for the row lock of the
     * write before and then reads that row), so the outbox's order is each member's order.
     */
    static Uni<Void> queue(SqlClient client, List<SegmentChange> changes, Set<String> ofMembers) {
        List<SegmentChange> queued = changes.stream().filter(change -> ofMembers.contains(change.memberId())).toList();
        if (queued.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        int n = queued.size();
        String[] members = new String[n], segments = new String[n], stores = new String[n];
        Boolean[] entered = new Boolean[n];
        OffsetDateTime[] at = new OffsetDateTime[n];
        for (int i = 0; i < n; i++) {
            SegmentChange change = queued.get(i);
            members[i] = change.memberId();
            segments[i] = change.segmentId();
            entered[i] = change.entered();
            at[i] = utc(change.at());
            stores[i] = change.homeStoreId();
        }
        return client.preparedQuery("""
                INSERT INTO segment_change_outbox (member_id, segment_id, entered, at, home_store_id)
                SELECT member_id, segment_id, entered, at, home_store_id
                FROM unnest($1::text[], $2::text[], $3::bool[], $4::timestamptz[], $5::text[]) WITH ORDINALITY
                  AS c (member_id, segment_id, entered, at, home_store_id, n) ORDER BY n""")
                .execute(Tuple.of(members, segments, entered, at, stores)).replaceWithVoid();
    }

    /**
     * Publishes up to {@code limit} queued segment changes, oldest first, and deletes them once {@code publish}
     * completes (the broker has them); a failed publish leaves them queued. They stay locked meanwhile, so another
     * replica publishing at the same time waits and goes on after them: no change overtakes an earlier one.
     * Returns how many were published.
     */
    public Uni<Integer> publishQueuedChanges(int limit, Function<List<SegmentChange>, Uni<Void>> publish) {
        return pool.withTransaction(tx -> tx.preparedQuery("""
                        SELECT id, member_id, segment_id, entered, at, home_store_id FROM segment_change_outbox
                        ORDER BY id LIMIT $1 FOR UPDATE""")
                .execute(Tuple.of(limit))
                .flatMap(rows -> {
                    List<Long> ids = new ArrayList<>();
                    List<SegmentChange> changes = new ArrayList<>();
                    for (Row row : rows) {
                        ids.add(row.getLong(0));
                        changes.add(new SegmentChange(row.getString(1), row.getString(2), row.getBoolean(3),
                                row.getOffsetDateTime(4).toInstant(), row.getString(5)));
                    }
                    if (changes.isEmpty()) {
                        return Uni.createFrom().item(0);
                    }
                    return publish.apply(changes)
                            .chain(() -> tx.preparedQuery("DELETE FROM segment_change_outbox WHERE id = ANY($1)")
                                    .execute(Tuple.of(ids.toArray(Long[]::new))))
                            .replaceWith(changes.size());
                }));
    }

    private static OffsetDateTime utc(Instant instant) {
        return instant.atOffset(ZoneOffset.UTC);
    }
}
