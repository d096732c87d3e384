package io.memberpulse.churn;

import static io.memberpulse.churn.ScoringFixture.NOT_BEFORE;
import static io.memberpulse.churn.ScoringFixture.WAIT;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.memberpulse.churn.domain.model.TrainedChurnModel;
import io.memberpulse.churn.store.ModelInputRepository;
import io.memberpulse.churn.store.ScoreRepository;
import io.memberpulse.churn.store.StreamClockRepository;
import io.memberpulse.proto.identity.v1.MemberEvent;
import io.memberpulse.proto.kafka.Topics;
import io.quarkus.test.junit.QuarkusMock;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * The full re-scoring runs once per clock move or promotion across replicas: a replica skips it when another has
 * re-scored everyone at this clock with this model, and runs it when the last one is older. It takes the scoring lock a
 * page at a time, so batches are scored between its pages.
 */
@QuarkusTest
class ScoreRefreshTest {
    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    @Inject
    ScoreRepository scores;

    @Inject
    StreamClockRepository streamClock;

    @Inject
    ScoreMembersService scoring;

    @Inject
    ModelRegistry models;

    @Inject
    Pool pool;

    @Test
    void aReplicaSkipsTheReScoringAnotherHasDoneAtThisClockAndRunsALaterOne() {
        String member = "refresh-" + ScoringFixture.runId();
        // Before the instant other tests count from (they read the clock as at most that), so theirs stay as they were.
        Instant orderedAt = NOT_BEFORE.minus(Duration.ofDays(10));
        MemberEvent order = ScoringFixture.order(member, member + "-0", orderedAt, "S-" + member);
        try (ScoringFixture kafka = new ScoringFixture(bootstrapServers)) {
            kafka.produce(Topics.MEMBER_EVENTS, member, order);
        }
        await().atMost(WAIT).untilAsserted(() -> given().get("/members/" + member + "/score").then().statusCode(200));
        Instant now = streamClock.watermark().await().indefinitely().orElseThrow();
        String model = models.current().map(TrainedChurnModel::version).orElse(null);

        // Another replica re-scored everyone at this clock; the member's score is then taken away behind the
        // service's back, so a re-scoring here would show by bringing it back.
        scores.recordRefresh(new ScoreRepository.ScoreRefresh(now, model)).await().indefinitely();
        takeAwayScoreOf(member);
        await().pollDelay(Duration.ofSeconds(6)).atMost(WAIT).until(() -> true); // past the busy window after a batch
        scoring.refreshAll();
        assertNoScore(member);

        // The last re-scoring is older than the clock: this replica runs it, and records it.
        scores.recordRefresh(new ScoreRepository.ScoreRefresh(now.minusSeconds(1), model)).await().indefinitely();
        scoring.refreshAll();
        await().atMost(WAIT).until(() -> scores.score(member).await().indefinitely().isPresent());
        await().atMost(WAIT).until(() -> scores.lastRefresh().await().indefinitely().orElseThrow().clock().equals(now));
    }

    @Test
    void aBatchRecordedWhileARefreshIsBetweenPagesIsScoredWithoutWaitingForTheRefresh() throws Exception {
        String run = ScoringFixture.runId();
        Instant now = ScoringFixture.now(streamClock);
        // Sets the clock if no test has yet (a refresh needs one); before it otherwise, so the clock stays.
        scoring.record(List.of(ScoringFixture.order("seed-" + run, "seed-" + run + "-0", now.minus(Duration.ofDays(30)),
                "S-" + run)));
        Instant clock = streamClock.watermark().await().indefinitely().orElseThrow();
        String model = models.current().map(TrainedChurnModel::version).orElse(null);

        // The repository as it is, but the refresh this test runs stops before reading its second page until released.
        AtomicReference<Thread> refresher = new AtomicReference<>();
        CountDownLatch betweenPages = new CountDownLatch(1);
        CountDownLatch resume = new CountDownLatch(1);
        QuarkusMock.installMockForType(new ModelInputRepository(pool) {
            @Override
            public Uni<List<String>> memberIdsAfter(String after, int limit) {
                if (Thread.currentThread() == refresher.get() && !after.isEmpty() && betweenPages.getCount() > 0) {
                    betweenPages.countDown();
                    awaitQuietly(resume);
                }
                return super.memberIdsAfter(after, limit);
            }
        }, ModelInputRepository.class);

        ExecutorService executor = Executors.newSingleThreadExecutor();
        try {
            var refreshing = executor.submit(() -> {
                refresher.set(Thread.currentThread());
                // A call that found the stream busy (a batch in the last 5 s) or the clock refreshed already returns
                // at once; the next one runs.
                await().atMost(Duration.ofMinutes(3)).pollInSameThread().pollInterval(Duration.ofSeconds(1))
                        .until(() -> {
                            scores.recordRefresh(new ScoreRepository.ScoreRefresh(clock.minusSeconds(1), model))
                                    .await().indefinitely();
                            scoring.refreshAll();
                            return betweenPages.getCount() == 0;
                        });
            });
            try {
                assertThat(betweenPages.await(4, TimeUnit.MINUTES)).as("the refresh reached its second page").isTrue();
                String member = "between-" + run;
                CompletableFuture<Void> recording = CompletableFuture.runAsync(() -> scoring.record(List.of(
                        ScoringFixture.order(member, member + "-0", clock.minus(Duration.ofDays(5)), "S-" + run))));
                // Held until the refresh ends, the batch would wait for this test, which resumes the refresh only after.
                assertThat(recording).succeedsWithin(WAIT);
                assertThat(scores.score(member).await().indefinitely()).isPresent();
            } finally {
                resume.countDown();
            }
            refreshing.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            // The refresh recorded the clock it started with.
            assertThat(scores.lastRefresh().await().indefinitely().orElseThrow().clock())
                    .isEqualTo(clock);
        } finally {
            resume.countDown();
            executor.shutdownNow();
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(5, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void takeAwayScoreOf(String member) {
        var stored = scores.storedScoresOf(List.of(member)).await().indefinitely();
        scores.deleteScoresIfUnchanged(Map.of(member, stored.versions().get(member))).await().indefinitely();
    }

    private void assertNoScore(String member) {
        assertThat(scores.score(member).await().indefinitely()).isEmpty();
    }
}
