package io.memberpulse.rfm.store;

import io.memberpulse.rfm.domain.RfmSnapshot;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The members' rows as reads answer them (R moved to the last re-ageing, stream_clock.aged_to): one member, pages of
 * every member or of a segment's, segment sizes and totals.
 */
@ApplicationScoped
public class RfmReadRepository {
    /** Members read per page by the segment member stream. */
    private static final int STREAM_PAGE = 1_000;

    private final Pool pool;

    public RfmReadRepository(Pool pool) {
        this.pool = pool;
    }

    /**
     * A member's row as written with its version, and the instant every member was last re-aged to (null before the
     * first pass): what a read answers ({@link #snapshot()}) and what it may cache (RfmCache.putRead).
     */
    public record FoundRow(MemberRowRepository.StoredRow stored, Instant agedTo) {
        /** The row as read: R moved to the last re-ageing, as the other reads of rows answer. */
        public RfmSnapshot snapshot() {
            RfmSnapshot row = stored.snapshot();
            return agedTo == null ? row : new RfmSnapshot(row.rfm().agedTo(agedTo), row.segments());
        }
    }

    public Uni<Optional<FoundRow>> find(String memberId) {
        return pool.preparedQuery("SELECT r.*, c.aged_to FROM member_rfm r LEFT JOIN stream_clock c ON c.id = 1 WHERE member_id = $1")
                .execute(Tuple.of(memberId))
                .map(rows -> {
                    var it = rows.iterator();
                    if (!it.hasNext()) {
                        return Optional.empty();
                    }
                    Row row = it.next();
                    OffsetDateTime agedTo = row.getOffsetDateTime("aged_to");
                    return Optional.of(new FoundRow(MemberRowRepository.storedRow(row), agedTo == null ? null : agedTo.toInstant()));
                });
    }

    /** Stored snapshots after the given member id, in order: for paging over every member. */
    public Uni<List<RfmSnapshot>> snapshotsAfter(String after, int limit) {
        return pool.preparedQuery("""
                SELECT r.*, c.aged_to FROM member_rfm r LEFT JOIN stream_clock c ON c.id = 1
                WHERE member_id > $1 ORDER BY member_id LIMIT $2""")
                .execute(Tuple.of(after, limit))
                .map(rows -> {
                    List<RfmSnapshot> page = new ArrayList<>();
                    rows.forEach(row -> page.add(toRow(row)));
                    return page;
                });
    }

    public Uni<Map<String, Long>> segmentSizes() {
        return pool.query("SELECT s, count(*) FROM member_rfm, unnest(segments) AS s GROUP BY s ORDER BY s").execute()
                .map(rows -> {
                    Map<String, Long> sizes = new LinkedHashMap<>();
                    rows.forEach(row -> sizes.put(row.getString(0), row.getLong(1)));
                    return sizes;
                });
    }

    /** Members of a segment (optionally of one store), streamed a page at a time (see the method below). */
    public Multi<RfmSnapshot> membersOf(String segmentId, String storeId) {
        return membersOf(segmentId, storeId, STREAM_PAGE);
    }

    /**
     * Members of a segment (optionally of one store) in member id order, read a page of {@code pageSize} after the last
     * member streamed, each page only when the subscriber asks for more: a segment of millions is never held at once
     * (it was read whole with one query). A member who joins or leaves meanwhile is seen or not, but none twice.
     */
    public Multi<RfmSnapshot> membersOf(String segmentId, String storeId, int pageSize) {
        return Multi.createFrom().deferred(() -> {
            String[] after = {null}; // the last member id streamed, per subscription
            return Multi.createBy().repeating()
                    .uni(() -> membersOf(segmentId, storeId, after[0], 0, pageSize).invoke(page -> {
                        if (!page.isEmpty()) {
                            after[0] = page.get(page.size() - 1).rfm().memberId();
                        }
                    }))
                    .whilst(page -> page.size() == pageSize)
                    .onItem().transformToIterable(page -> page);
        });
    }

    /**
     * One page of a segment's members (optionally of one store) in member id order: those after the member id given
     * (null: from the first), skipping offset of them, at most limit. Only the page is read, whatever the segment's size.
     */
    public Uni<List<RfmSnapshot>> membersOf(String segmentId, String storeId, String after, int offset, int limit) {
        return pool.preparedQuery("""
                SELECT r.*, c.aged_to FROM member_rfm r LEFT JOIN stream_clock c ON c.id = 1
                WHERE $1 = ANY(segments) AND ($2::text IS NULL OR home_store_id = $2)
                  AND ($3::text IS NULL OR member_id > $3)
                ORDER BY member_id OFFSET $4 LIMIT $5""")
                .execute(Tuple.of(segmentId, storeId == null || storeId.isBlank() ? null : storeId, after, offset, limit))
                .map(rows -> {
                    List<RfmSnapshot> page = new ArrayList<>();
                    rows.forEach(row -> page.add(toRow(row)));
                    return page;
                });
    }

    public Uni<long[]> totals() {
        return pool.query("SELECT (SELECT count(*) FROM member_rfm), (SELECT count(*) FROM purchase_line)").execute()
                .map(rows -> {
                    Row row = rows.iterator().next();
                    return new long[] {row.getLong(0), row.getLong(1)};
                });
    }

    /** A row as read: R moved to the last re-ageing when the pass found nothing else changed since the row was written. */
    private static RfmSnapshot toRow(Row row) {
        RfmSnapshot stored = MemberRowRepository.snapshot(row);
        OffsetDateTime agedTo = row.getOffsetDateTime("aged_to");
        return agedTo == null ? stored : new RfmSnapshot(stored.rfm().agedTo(agedTo.toInstant()), stored.segments());
    }
}
