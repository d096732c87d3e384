package io.memberpulse.churn;

import static io.memberpulse.churn.ScoringFixture.NOT_BEFORE;
import static io.memberpulse.churn.ScoringFixture.WAIT;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;

import io.memberpulse.churn.domain.model.TrainedChurnModel;
import io.memberpulse.churn.store.ChurnRepository;
import io.memberpulse.proto.identity.v1.MemberEvent;
import io.memberpulse.proto.kafka.Topics;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * The full re-scoring runs once per clock move or promotion across replicas: a replica skips it when another has
 * re-scored everyone at this clock with this model, and runs it when the last one is older.
 */
@QuarkusTest
class ScoreRefreshTest {
    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    @Inject
    ChurnRepository facts;

    @Inject
    ScoreMembersService scoring;

    @Inject
    ModelRegistry models;

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
        Instant now = facts.watermark().await().indefinitely().orElseThrow();
        String model = models.current().map(TrainedChurnModel::version).orElse(null);

        // Another replica re-scored everyone at this clock; the member's score is then taken away behind the
        // service's back, so a re-scoring here would show by bringing it back.
        facts.recordRefresh(new ChurnRepository.ScoreRefresh(now, model)).await().indefinitely();
        takeAwayScoreOf(member);
        await().pollDelay(Duration.ofSeconds(6)).atMost(WAIT).until(() -> true); // past the busy window after a batch
        scoring.refreshAll();
        assertNoScore(member);

        // The last re-scoring is older than the clock: this replica runs it, and records it.
        facts.recordRefresh(new ChurnRepository.ScoreRefresh(now.minusSeconds(1), model)).await().indefinitely();
        scoring.refreshAll();
        await().atMost(WAIT).until(() -> facts.score(member).await().indefinitely().isPresent());
        await().atMost(WAIT).until(() -> facts.lastRefresh().await().indefinitely().orElseThrow().clock().equals(now));
    }

    private void takeAwayScoreOf(String member) {
        var stored = facts.storedScoresOf(List.of(member)).await().indefinitely();
        facts.deleteScoresIfUnchanged(Map.of(member, stored.versions().get(member))).await().indefinitely();
    }

    private void assertNoScore(String member) {
        org.assertj.core.api.Assertions.assertThat(facts.score(member).await().indefinitely()).isEmpty();
    }
}
