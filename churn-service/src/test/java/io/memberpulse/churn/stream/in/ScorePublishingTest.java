package io.memberpulse.churn.stream.in;

import static io.memberpulse.churn.ScoringFixture.WAIT;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;

import io.memberpulse.churn.ScoringFixture;
import io.memberpulse.churn.domain.ChurnScore;
import io.memberpulse.churn.store.ScoreRepository;
import io.memberpulse.churn.store.StreamClockRepository;
import io.memberpulse.churn.stream.out.ChurnScorePublisher;
import io.memberpulse.proto.identity.v1.MemberEvent;
import io.memberpulse.proto.kafka.Topics;
import io.quarkus.test.junit.QuarkusMock;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** churn.scores: a score stored but never acknowledged by the broker is still published. */
@QuarkusTest
class ScorePublishingTest {
    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    @Inject
    ScoreRepository storedScores;

    @Inject
    StreamClockRepository streamClock;

    @Inject
    ChurnScorePublisher publisher;

    @Inject
    Pool pool;

    ScoringFixture kafka;
    String run;
    Instant now;

    @BeforeEach
    void connect() {
        kafka = new ScoringFixture(bootstrapServers);
        run = ScoringFixture.runId();
        now = ScoringFixture.now(streamClock);
    }

    @AfterEach
    void close() {
        kafka.close();
    }

    @Test
    void aScoreStoredWhoseSendFailedIsPublishedAfterwards() {
        String member = "m-" + run;
        AtomicBoolean sendFailed = failFirstSendOf(member);
        kafka.consumeScores();

        MemberEvent order = ScoringFixture.order(member, member + "-0", now.minus(Duration.ofDays(20)), "publish-" + run);
        kafka.produce(Topics.MEMBER_EVENTS, member, order);

        // The score was committed before its send failed; it is sent again, the batch not held for it.
        await().atMost(WAIT).untilTrue(sendFailed);
        given().get("/members/" + member + "/score").then().statusCode(200);
        await().atMost(WAIT).until(() -> kafka.scoresOf(member).stream()
                .anyMatch(r -> r.value().getHomeStoreId().equals("publish-" + run)));
    }

    @Test
    void aScoreLeftUnpublishedIsPublishedWithoutAnotherFactOrAMoveOfTheClock() {
        // As a send that failed leaves it: the batch is acknowledged all the same (a broker away must not hold the
        // input), so neither its re-run nor a full re-scoring (the clock has not moved) sends the score again.
        String member = "m-" + run;
        kafka.consumeScores();
        kafka.produce(Topics.MEMBER_EVENTS, member,
                ScoringFixture.order(member, member + "-0", now.minus(Duration.ofDays(20)), "relay-" + run));
        await().atMost(WAIT).until(() -> !kafka.scoresOf(member).isEmpty());
        // the full re-scoring at this clock is done (it would send a score stored unpublished as well)
        await().atMost(WAIT).until(() -> storedScores.lastRefresh().await().indefinitely().map(refresh -> !refresh.clock()
                .isBefore(streamClock.watermark().await().indefinitely().orElseThrow())).orElse(false));
        int sent = kafka.scoresOf(member).size();

        pool.preparedQuery("UPDATE churn_score SET published_at = NULL WHERE member_id = $1").execute(Tuple.of(member))
                .await().indefinitely();
        await().atMost(WAIT).until(() -> kafka.scoresOf(member).size() > sent);
        await().atMost(WAIT).until(() -> pool.preparedQuery(
                "SELECT published_at IS NOT NULL FROM churn_score WHERE member_id = $1").execute(Tuple.of(member))
                .await().indefinitely().iterator().next().getBoolean(0));
    }

    /** The publisher fails the first send that holds the member's score, as a broker that never acknowledged it. */
    private AtomicBoolean failFirstSendOf(String member) {
        AtomicBoolean failed = new AtomicBoolean();
        QuarkusMock.installMockForType(new ScoringFixture.RelayingPublisher(publisher) {
            @Override
            public Uni<Void> publish(List<ChurnScore> scores) {
                boolean holdsTheMember = scores.stream().anyMatch(score -> member.equals(score.memberId()));
                if (holdsTheMember && failed.compareAndSet(false, true)) {
                    return Uni.createFrom().failure(new IllegalStateException("churn.scores did not acknowledge (test)"));
                }
                return super.publish(scores);
            }
        }, ChurnScorePublisher.class);
        return failed;
    }
}
