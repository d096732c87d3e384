package io.memberpulse.churn;

import static io.memberpulse.churn.ScoringFixture.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import io.memberpulse.churn.domain.ChurnScore;
import io.memberpulse.churn.store.ScoreRepository;
import io.memberpulse.churn.store.StreamClockRepository;
import io.memberpulse.proto.identity.v1.MemberEvent;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * A stored score whose probability has not moved by the publish threshold is still restated when its as-of is older
 * than restate-after (7 days): its recency would otherwise stay that of its last publication for good.
 */
@QuarkusTest
class ScoreRestatementTest {
    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    @Inject
    ScoreRepository scores;

    @Inject
    StreamClockRepository streamClock;

    @Inject
    ScoreMembersService scoring;

    @Inject
    Pool pool;

    @Test
    void aScoreStoredLongerAgoThanRestateAfterIsRewrittenAndPublishedThoughItDidNotMove() {
        String member = "restate-" + ScoringFixture.runId();
        String store = "S-" + member;
        // At or before the clock: the shared event-time clock is not moved (other test classes read it).
        Instant orderedAt = ScoringFixture.now(streamClock).minus(Duration.ofDays(20));
        MemberEvent order = ScoringFixture.order(member, member + "-0", orderedAt, store);

        try (ScoringFixture kafka = new ScoringFixture(bootstrapServers)) {
            kafka.consumeScores();
            scoring.record(List.of(order));
            await().atMost(WAIT).until(() -> kafka.scoresOf(member).size() == 1);

            // The score as stored a month of event time ago, unmoved since.
            pool.preparedQuery("""
                    UPDATE churn_score SET as_of = as_of - interval '30 days', recency_days = recency_days - 30
                    WHERE member_id = $1""").execute(Tuple.of(member)).await().indefinitely();

            // A second line of the same order, at its instant and of 0.001: the member is scored again and nothing
            // in the score moves (the same order, its value by less than a cent).
            MemberEvent secondLine = ScoringFixture.order(member, member + "-0b", orderedAt, store).toBuilder()
                    .setEvent(order.getEvent().toBuilder().setEventId(member + "-0b")
                            .setLine(order.getEvent().getLine().toBuilder().setPaidAmount(0.001)))
                    .build();
            scoring.record(List.of(secondLine));

            Instant clock = streamClock.watermark().await().indefinitely().orElseThrow();
            ChurnScore restated = scores.score(member).await().indefinitely().orElseThrow();
            assertThat(restated.asOf()).isEqualTo(clock);
            assertThat(restated.recencyDays()).isCloseTo(Duration.between(orderedAt, clock).getSeconds() / 86_400.0,
                    within(1e-6));
            await().atMost(WAIT).untilAsserted(() -> assertThat(kafka.scoresOf(member)).as("published again").hasSize(2));
            var published = kafka.scoresOf(member).get(1).value();
            assertThat(published.getAsOf().getSeconds()).isEqualTo(clock.getEpochSecond());
            assertThat(published.getRecencyDays()).isCloseTo(restated.recencyDays(), within(1e-9));
        }
    }
}
