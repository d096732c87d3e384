package io.memberpulse.campaign.store;

import io.memberpulse.campaign.domain.SegmentMembership;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.Set;
import java.util.List;

/** Members' current segments (member_segment), kept from member.segments entries and exits. */
@ApplicationScoped
public class MemberSegmentRepository {
    private final Pool pool;

    public MemberSegmentRepository(Pool pool) {
        this.pool = pool;
    }

    /** @param homeStoreId the home store rfm-service reported with the change, null when it gave none */
    public record Change(String memberId, String segmentId, boolean entered, Instant at, String homeStoreId) {
    }

    public static String key(String memberId, String segmentId) {
        return memberId + "\u0000" + segmentId;
    }

    /** Which of these members are in which of these segments now, as {@link #key} strings. */
    public Uni<Set<String>> memberships(List<String> memberIds, List<String> segmentIds) {
        return of(memberIds, segmentIds).map(found -> {
            Set<String> keys = new HashSet<>();
            found.forEach(membership -> keys.add(key(membership.memberId(), membership.segmentId())));
            return keys;
        });
    }

    /** The members' current memberships of these segments, each since its entry. */
    public Uni<List<SegmentMembership>> of(Collection<String> memberIds, Collection<String> segmentIds) {
        if (memberIds.isEmpty() || segmentIds.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        return pool.preparedQuery("SELECT member_id, segment_id, since FROM member_segment WHERE member_id = ANY($1) AND segment_id = ANY($2)")
                .execute(Tuple.of(memberIds.toArray(String[]::new), segmentIds.toArray(String[]::new)))
                .map(rows -> {
                    List<SegmentMembership> found = new ArrayList<>();
                    rows.forEach(row -> found.add(new SegmentMembership(row.getString(0), row.getString(1),
                            row.getOffsetDateTime(2).toInstant())));
                    return found;
                });
    }

    /** Whether member.segments ever named the segment. */
    public Uni<Boolean> known(String segmentId) {
        return pool.preparedQuery("SELECT EXISTS (SELECT 1 FROM known_segment WHERE segment_id = $1)")
                .execute(Tuple.of(segmentId)).map(rows -> rows.iterator().next().getBoolean(0));
    }

    /**
     * Applies entries and exits in order; an exit older than the entry it would undo changes nothing. With the client:
     * the caller's transaction (IdentityChangeRepository.inRecordingTransaction).
     */
    public Uni<Void> apply(SqlClient client, List<Change> changes) {
        List<Tuple> entries = new ArrayList<>();
        List<Tuple> exits = new ArrayList<>();
        List<Tuple> seen = new ArrayList<>();
        for (Change change : changes) {
            var at = change.at().atOffset(ZoneOffset.UTC);
            if (change.entered()) {
                entries.add(Tuple.of(change.memberId(), change.segmentId(), at, change.homeStoreId()));
            } else {
                exits.add(Tuple.of(change.memberId(), change.segmentId(), at));
            }
            seen.add(Tuple.of(change.segmentId(), at));
        }
        Uni<Void> applied = Uni.createFrom().voidItem();
        if (!seen.isEmpty()) {
            applied = applied.chain(() -> client.preparedQuery("""
                    INSERT INTO known_segment (segment_id, first_seen) VALUES ($1, $2)
                    ON CONFLICT (segment_id) DO UPDATE SET first_seen = LEAST(known_segment.first_seen, EXCLUDED.first_seen)""")
                    .executeBatch(seen).replaceWithVoid());
        }
        if (!entries.isEmpty()) {
            applied = applied.chain(() -> client.preparedQuery("""
                    INSERT INTO member_segment (member_id, segment_id, since, home_store_id) VALUES ($1, $2, $3, $4)
                    ON CONFLICT (member_id, segment_id) DO UPDATE SET since = LEAST(member_segment.since, EXCLUDED.since),
                      home_store_id = coalesce(EXCLUDED.home_store_id, member_segment.home_store_id)""")
                    .executeBatch(entries).replaceWithVoid());
        }
        if (!exits.isEmpty()) {
            applied = applied.chain(() -> client.preparedQuery(
                    "DELETE FROM member_segment WHERE member_id = $1 AND segment_id = $2 AND since <= $3")
                    .executeBatch(exits).replaceWithVoid());
        }
        return applied;
    }
}
