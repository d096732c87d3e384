package io.memberpulse.churn.stream.out;

import static io.memberpulse.churn.ScoringFixture.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.memberpulse.churn.ScoringFixture;
import io.memberpulse.churn.domain.ChurnScore;
import io.memberpulse.churn.store.StreamClockRepository;
import io.memberpulse.proto.kafka.Topics;
import io.quarkus.test.junit.QuarkusMock;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * churn.scores away (every send fails, at once) with a tick every second: the scores left unpublished are tried less
 * and less often while it stays away (each try holds the scoring lock as long as a send takes to fail, up to about
 * 40 s against a real broker), and still sent soon after it is back.
 */
@QuarkusTest
@TestProfile(ScoreOutputProbeBackoffTest.TickEverySecond.class)
class ScoreOutputProbeBackoffTest {
    /** How long the tries are counted while churn.scores stays away. */
    private static final Duration AWAY = Duration.ofSeconds(20);

    public static class TickEverySecond implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("memberpulse.churn.refresh-every", "1s");
        }
    }

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    @Inject
    StreamClockRepository streamClock;

    @Inject
    ChurnScorePublisher publisher;

    @Test
    void whileChurnScoresStaysAwayItIsTriedLessAndLessOftenAndTheScoresAreSentOnceItIsBack() throws Exception {
        String run = ScoringFixture.runId();
        String member = "m-" + run;
        Instant now = ScoringFixture.now(streamClock);
        AtomicBoolean away = new AtomicBoolean(true);
        AtomicInteger tries = new AtomicInteger();
        QuarkusMock.installMockForType(new ScoringFixture.RelayingPublisher(publisher) {
            @Override
            public Uni<Void> publish(List<ChurnScore> scores) {
                return scores.isEmpty() || !away.get() ? super.publish(scores) : failed();
            }

            @Override
            public Uni<Void> withdraw(Collection<String> memberIds) {
                return memberIds.isEmpty() || !away.get() ? super.withdraw(memberIds) : failed();
            }

            private Uni<Void> failed() {
                tries.incrementAndGet();
                return Uni.createFrom().failure(new IllegalStateException("churn.scores away (test)"));
            }
        }, ChurnScorePublisher.class);
        try (ScoringFixture kafka = new ScoringFixture(bootstrapServers)) {
            kafka.consumeScores();
            kafka.produce(Topics.MEMBER_EVENTS, member,
                    ScoringFixture.order(member, member + "-0", now.minus(Duration.ofDays(20)), "probe-" + run));
            await().atMost(WAIT).until(() -> tries.get() > 0);

            int before = tries.get();
            Thread.sleep(AWAY.toMillis());
            int tried = tries.get() - before;
            // Every tick (1 s) tried it about 20 times; waiting 1, 2, 4, 8, 16 s after each failed try, about 5.
            assertThat(tried).as("tries in %s while churn.scores stays away", AWAY).isBetween(3, 10);

            away.set(false);
            await().atMost(WAIT).until(() -> !kafka.scoresOf(member).isEmpty());
        }
    }
}
