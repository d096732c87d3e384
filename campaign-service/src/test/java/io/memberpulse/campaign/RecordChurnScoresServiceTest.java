package io.memberpulse.campaign;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.memberpulse.campaign.domain.MemberRisk;
import io.memberpulse.campaign.testdata.ChurnEvents;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.vertx.VertxContextSupport;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

@QuarkusTest
class RecordChurnScoresServiceTest {

    @Inject
    Pool database;

    @Inject
    RecordChurnScoresService scores;

    private String storeOfTask(String taskId) {
        return database.preparedQuery("SELECT store_id FROM call_task WHERE id = $1").execute(Tuple.of(taskId))
                .await().indefinitely().iterator().next().getString(0);
    }

    /** A transaction of this database waits for a store's planning lock (StoreLocks' statement). */
    private boolean waitingForAStoreLock() {
        return database.query("""
                SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'
                  AND query LIKE 'select count(*) from (select pg_advisory_xact_lock(hashtext(%'""")
                .execute().await().indefinitely().iterator().next().getLong(0) > 0;
    }

    /**
     * A member scored in store x holds a segment rule's call in store z (their store of most orders) and is scored
     * anew in store y: the call follows them out of z, so z is replanned, and that under z's planning lock, which
     * another transaction holds here. Before, only x and y were locked and the call left z under the other's feet.
     */
    @Test
    void aCallLeavingAStoreNoScoreNamesMovesUnderThatStoresLock() throws Exception {
        String run = ChurnEvents.run();
        String member = "mover-" + run;
        String x = "lx-" + run, y = "ly-" + run, z = "lz-" + run;
        String taskId = "task-" + run;
        Instant asOf = Instant.parse("2024-03-01T00:00:00Z");
        database.preparedQuery("""
                INSERT INTO member_risk (member_id, store_id, probability, member_value, as_of, updated_at)
                VALUES ($1, $2, 0.9, 100, $3, now())""").execute(Tuple.of(member, x, asOf.atOffset(ZoneOffset.UTC)))
                .await().indefinitely();
        database.preparedQuery("""
                INSERT INTO call_task (id, member_id, store_id, probability, member_value, value_at_risk, status, created_at,
                                       due_at, origin, version)
                VALUES ($1, $2, $3, 0.9, 100, 90, 'OPEN', now(), now() + interval '72 hours', 'segment:churn-edge', 0)""")
                .execute(Tuple.of(taskId, member, z)).await().indefinitely();

        var holder = database.getConnection().await().indefinitely();
        try {
            holder.query("BEGIN").execute().await().indefinitely();
            holder.preparedQuery("SELECT count(*) FROM (SELECT pg_advisory_xact_lock(hashtext($1))) locked")
                    .execute(Tuple.of("call-list:" + z)).await().indefinitely();
            MemberRisk moved = new MemberRisk(member, y, 0.9, 100, asOf.plus(Duration.ofDays(1)));
            CompletableFuture<Void> recorded = CompletableFuture.runAsync(() -> {
                try {
                    VertxContextSupport.subscribeAndAwait(() -> scores.record(List.of(moved)));
                } catch (Throwable e) {
                    throw new IllegalStateException(e);
                }
            });
            // While z is locked elsewhere, the batch waits for it (and the call has not left z); before, it went on.
            await().atMost(Duration.ofSeconds(30)).until(() -> recorded.isDone() || waitingForAStoreLock());
            assertThat(recorded).as("the batch waits for z's planning lock").isNotDone();
            assertThat(storeOfTask(taskId)).isEqualTo(z);
            holder.query("COMMIT").execute().await().indefinitely();
            recorded.get(30, TimeUnit.SECONDS);
            assertThat(storeOfTask(taskId)).isEqualTo(y);
        } finally {
            holder.close().await().indefinitely();
        }
    }
}
