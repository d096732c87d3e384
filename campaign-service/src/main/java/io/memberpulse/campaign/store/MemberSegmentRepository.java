package io.memberpulse.campaign.store;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/** Members' current segments (member_segment), kept from member.segments entries and exits. */
@ApplicationScoped
public class MemberSegmentRepository {
    private final Pool pool;

    public MemberSegmentRepository(Pool pool) {
        this.pool = pool;
    }

    public record Change(String memberId, String segmentId, boolean entered, Instant at) {
    }

    /** Applies entries and exits in order; an exit older than the entry it would undo changes nothing. */
    public Uni<Void> apply(List<Change> changes) {
        List<Tuple> entries = new ArrayList<>();
        List<Tuple> exits = new ArrayList<>();
        for (Change change : changes) {
            Tuple tuple = Tuple.of(change.memberId(), change.segmentId(), change.at().atOffset(ZoneOffset.UTC));
            (change.entered() ? entries : exits).add(tuple);
        }
        Uni<Void> applied = Uni.createFrom().voidItem();
        if (!entries.isEmpty()) {
            applied = applied.chain(() -> pool.preparedQuery("""
                    INSERT INTO member_segment (member_id, segment_id, since) VALUES ($1, $2, $3)
                    ON CONFLICT (member_id, segment_id) DO UPDATE SET since = LEAST(member_segment.since, EXCLUDED.since)""")
                    .executeBatch(entries).replaceWithVoid());
        }
        if (!exits.isEmpty()) {
            applied = applied.chain(() -> pool.preparedQuery(
                    "DELETE FROM member_segment WHERE member_id = $1 AND segment_id = $2 AND since <= $3")
                    .executeBatch(exits).replaceWithVoid());
        }
        return applied;
    }

    public record SegmentResponse(String segmentId, long treated, long treatedConverted, long holdout,
            long holdoutConverted) {
    }

    /** Per segment of the enrolled members: how many converted in each arm within the campaign window. */
    public Uni<List<SegmentResponse>> responseBySegment(String campaignId, Instant from, Instant to) {
        return pool.preparedQuery("""
                WITH converted AS (
                  SELECT cm.member_id, cm.arm,
                         EXISTS (SELECT 1 FROM member_purchase mp WHERE mp.member_id = cm.member_id AND mp.kind = 'order'
                                 AND mp.occurred_at >= $2 AND mp.occurred_at < $3) AS bought
                  FROM campaign_member cm WHERE cm.campaign_id = $1)
                SELECT ms.segment_id,
                       count(*) FILTER (WHERE c.arm = 'TREATED'), count(*) FILTER (WHERE c.arm = 'TREATED' AND c.bought),
                       count(*) FILTER (WHERE c.arm = 'HOLDOUT'), count(*) FILTER (WHERE c.arm = 'HOLDOUT' AND c.bought)
                FROM converted c JOIN member_segment ms ON ms.member_id = c.member_id
                GROUP BY ms.segment_id""")
                .execute(Tuple.of(campaignId, from.atOffset(ZoneOffset.UTC), to.atOffset(ZoneOffset.UTC)))
                .map(rows -> {
                    List<SegmentResponse> result = new ArrayList<>();
                    rows.forEach(row -> result.add(new SegmentResponse(row.getString(0), row.getLong(1), row.getLong(2),
                            row.getLong(3), row.getLong(4))));
                    return result;
                });
    }
}
