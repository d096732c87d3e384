package io.memberpulse.churn;

import static io.memberpulse.churn.ScoringFixture.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import io.memberpulse.churn.domain.ChurnScore;
import io.memberpulse.churn.store.FactRepository;
import io.memberpulse.churn.store.ScoreRepository;
import io.memberpulse.churn.store.StreamClockRepository;
import io.memberpulse.proto.identity.v1.MemberEvent;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * A retraction's batch retried after its first attempt committed the delete of the line but never scored (the database
 * dropped during the score's write): the retry deletes nothing, and still re-scores the member who held the line.
 */
@QuarkusTest
class RetractionRetryTest {
    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    @Inject
    FactRepository facts;

    @Inject
    ScoreRepository storedScores;

    @Inject
    StreamClockRepository streamClock;

    @Inject
    ScoreMembersService scoring;

    @Inject
    Pool pool;

    @Test
    void aRetractionRetriedAfterItsDeleteCommittedStillReScoresTheMemberWithoutTheLine() {
        String member = "retry-" + ScoringFixture.runId();
        String store = "S-" + member;
        // Before the clock (or at the instant tests count from): the clock stays where the other tests read it.
        Instant now = ScoringFixture.now(streamClock);
        Instant firstAt = now.minus(Duration.ofDays(60));
        MemberEvent first = ScoringFixture.order(member, member + "-0", firstAt, store);
        MemberEvent later = ScoringFixture.order(member, member + "-1", now.minus(Duration.ofDays(10)), store);
        scoring.record(List.of(first, later));
        assertThat(storedScores.score(member).await().indefinitely().orElseThrow().memberValue()).isEqualTo(60);

        try (ScoringFixture kafka = new ScoringFixture(bootstrapServers)) {
            kafka.consumeScores();
            // The first attempt of the retraction's batch: its transaction deleted the line and committed, and the
            // scoring after it failed, so the batch is delivered again.
            FactRepository.LineKey key = new FactRepository.LineKey("pos", member + "-1");
            assertThat(facts.retractPurchases(pool, List.of(key)).await().indefinitely()).containsExactly(member);

            MemberEvent retraction = later.toBuilder().setDuplicateOrder(true).build();
            scoring.record(List.of(retraction));

            ChurnScore score = storedScores.score(member).await().indefinitely().orElseThrow();
            assertThat(score.memberValue()).as("the retracted order is no longer counted").isEqualTo(30);
            assertThat(score.recencyDays()).isCloseTo(Duration.between(firstAt, score.asOf()).getSeconds() / 86_400.0,
                    within(1e-6));
            await().atMost(WAIT).until(() -> kafka.scoresOf(member).stream()
                    .anyMatch(r -> r.value() != null && r.value().getMemberValue() == 30));
        }
    }
}
