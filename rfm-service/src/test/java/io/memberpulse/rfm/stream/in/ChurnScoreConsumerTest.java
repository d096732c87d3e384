package io.memberpulse.rfm.stream.in;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import com.google.protobuf.Timestamp;
import io.memberpulse.proto.churn.v1.ChurnScored;
import io.memberpulse.proto.identity.v1.MemberEvent;
import io.memberpulse.proto.identity.v1.MemberIdentityChange;
import io.memberpulse.proto.kafka.ChurnScoredDeserializer;
import io.memberpulse.proto.kafka.MemberEventDeserializer;
import io.memberpulse.proto.kafka.MemberIdentityChangeDeserializer;
import io.memberpulse.proto.kafka.ProtobufSerdes;
import io.memberpulse.proto.kafka.Topics;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** churn.scores through a real broker: what is recorded, what is skipped, what is dead-lettered. */
@QuarkusTest
class ChurnScoreConsumerTest {
    static final Duration WAIT = Duration.ofSeconds(30);

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    @Inject
    Pool pool;

    KafkaCompanion kafka;

    @BeforeEach
    void connect() {
        kafka = new KafkaCompanion(bootstrapServers);
        kafka.registerSerde(MemberEvent.class, ProtobufSerdes.of(new MemberEventDeserializer()));
        kafka.registerSerde(MemberIdentityChange.class, ProtobufSerdes.of(new MemberIdentityChangeDeserializer()));
        kafka.registerSerde(ChurnScored.class, ProtobufSerdes.of(new ChurnScoredDeserializer()));
    }

    @AfterEach
    void close() {
        kafka.close();
    }

    static ChurnScored score(String member, double probability) {
        return ChurnScored.newBuilder().setMemberId(member).setProbability(probability)
                .setAsOf(Timestamp.newBuilder().setSeconds(MemberIdentityChangeConsumerTest.DAY0.getEpochSecond())).build();
    }

    /** All under one key: one partition, consumed in the order sent. */
    void send(String key, ChurnScored... scores) {
        kafka.produce(String.class, ChurnScored.class).fromRecords(java.util.Arrays.stream(scores)
                .map(score -> new ProducerRecord<>(Topics.CHURN_SCORES, key, score)).toList()).awaitCompletion();
    }

    /** A tombstone: the member id as key, no value. */
    static ProducerRecord<String, ChurnScored> tombstone(String member) {
        return new ProducerRecord<>(Topics.CHURN_SCORES, member, null);
    }

    Map<String, Double> storedProbabilities(String... members) {
        Map<String, Double> stored = new HashMap<>();
        pool.preparedQuery("SELECT member_id, probability FROM member_churn_risk WHERE member_id = ANY($1)")
                .execute(Tuple.of(members)).await().indefinitely()
                .forEach(row -> stored.put(row.getString(0), row.getDouble(1)));
        return stored;
    }

    @Test
    void aLateScoreForAMemberAMergeAbsorbedIsSkipped() {
        String survivor = "m-" + UUID.randomUUID();
        String absorbed = "m-" + UUID.randomUUID();
        kafka.produce(String.class, MemberEvent.class).fromRecords(List.of(
                new ProducerRecord<>(Topics.MEMBER_EVENTS, survivor, MemberIdentityChangeConsumerTest.order(survivor, survivor + "-1",
                        MemberIdentityChangeConsumerTest.DAY0, 30)),
                new ProducerRecord<>(Topics.MEMBER_EVENTS, absorbed, MemberIdentityChangeConsumerTest.order(absorbed, absorbed + "-1",
                        MemberIdentityChangeConsumerTest.DAY0, 20)))).awaitCompletion();
        await().atMost(WAIT).untilAsserted(() -> given().get("/members/" + absorbed + "/rfm").then().statusCode(200));
        kafka.produce(String.class, MemberIdentityChange.class).fromRecords(new ProducerRecord<>(Topics.MEMBER_MERGES, absorbed,
                MemberIdentityChangeConsumerTest.merged(survivor, absorbed))).awaitCompletion();
        await().atMost(WAIT).untilAsserted(() -> given().get("/members/" + survivor + "/rfm").then().statusCode(200)
                .body("rfm.ordersTotal", equalTo(2)));

        // The absorbed member's score churn-service published before the merge reached it, then a marker after it.
        String marker = "m-" + UUID.randomUUID();
        send(absorbed, score(absorbed, 0.77), score(marker, 0.5));
        await().atMost(WAIT).until(() -> storedProbabilities(marker).containsKey(marker));
        assertThat(storedProbabilities(absorbed)).as("no score kept under the absorbed id").isEmpty();
    }

    @Test
    void aScoreWithoutTimeOrWithoutAProbabilityIsDeadLetteredAndTheScoresAroundItAreRecorded() {
        String key = "k-" + UUID.randomUUID();
        String noTime = "m-" + UUID.randomUUID();
        String notANumber = "m-" + UUID.randomUUID();
        String aboveOne = "m-" + UUID.randomUUID();
        String valid = "m-" + UUID.randomUUID();
        var deadLetters = kafka.consume(String.class, byte[].class).fromTopics(Topics.deadLetter(Topics.CHURN_SCORES));
        send(key, score(noTime, 0.4).toBuilder().clearAsOf().build(), score(notANumber, Double.NaN), score(aboveOne, 1.5),
                score(valid, 0.25));

        await().atMost(WAIT).until(() -> storedProbabilities(valid).containsKey(valid));
        await().atMost(WAIT).until(() -> deadLetters.getRecords().stream().filter(r -> key.equals(r.key())).count() == 3);
        deadLetters.stop();
        assertThat(storedProbabilities(noTime, notANumber, aboveOne)).isEmpty();
        assertThat(storedProbabilities(valid)).containsEntry(valid, 0.25);
    }

    @Test
    void aTombstoneWithdrawsTheMembersScore() {
        String member = "m-" + UUID.randomUUID();
        var deadLetters = kafka.consume(String.class, byte[].class).fromTopics(Topics.deadLetter(Topics.CHURN_SCORES));
        send(member, score(member, 0.6));
        await().atMost(WAIT).until(() -> storedProbabilities(member).containsKey(member));

        // churn-service no longer scores them; a marker after the tombstone on the same partition.
        String marker = "m-" + UUID.randomUUID();
        kafka.produce(String.class, ChurnScored.class).fromRecords(tombstone(member),
                new ProducerRecord<>(Topics.CHURN_SCORES, member, score(marker, 0.5))).awaitCompletion();

        await().atMost(WAIT).until(() -> storedProbabilities(marker).containsKey(marker));
        assertThat(storedProbabilities(member)).as("the withdrawn score").isEmpty();
        assertThat(deadLetters.getRecords()).noneMatch(r -> member.equals(r.key()));
        deadLetters.stop();
    }

    @Test
    void aScorePublishedAfterATombstoneStays() {
        String member = "m-" + UUID.randomUUID();
        send(member, score(member, 0.6));
        await().atMost(WAIT).until(() -> storedProbabilities(member).containsKey(member));

        // Withdrawn, then scored again as of the same instant, in one send; a marker after them.
        String marker = "m-" + UUID.randomUUID();
        kafka.produce(String.class, ChurnScored.class).fromRecords(tombstone(member),
                new ProducerRecord<>(Topics.CHURN_SCORES, member, score(member, 0.3)),
                new ProducerRecord<>(Topics.CHURN_SCORES, member, score(marker, 0.5))).awaitCompletion();

        await().atMost(WAIT).until(() -> storedProbabilities(marker).containsKey(marker));
        assertThat(storedProbabilities(member)).containsEntry(member, 0.3);
    }
}
