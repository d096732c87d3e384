package io.memberpulse.campaign.stream.in;

import static io.memberpulse.campaign.testdata.DeadLetters.deadLetter;
import static io.memberpulse.campaign.testdata.DeadLetters.header;
import static io.memberpulse.campaign.testdata.ChurnEvents.T1;
import static io.memberpulse.campaign.testdata.ChurnEvents.scored;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.contains;

import io.memberpulse.campaign.WithKafkaCompanion;
import io.memberpulse.campaign.testdata.ChurnEvents;
import io.memberpulse.proto.churn.v1.ChurnScored;
import io.memberpulse.proto.kafka.Topics;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.reactive.messaging.kafka.companion.ConsumerTask;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

@QuarkusTest
class ChurnScoreConsumerTest extends WithKafkaCompanion {
    private static final String DEAD_LETTERS = Topics.deadLetter(Topics.CHURN_SCORES);

    @Test
    void brokenRecordsAreDeadLetteredAloneAndTheirNeighboursRecorded() {
        String run = ChurnEvents.run();
        String store = "dlq-" + run;
        ConsumerTask<String, byte[]> deadLetters = kafka.consume(String.class, byte[].class).fromTopics(DEAD_LETTERS);
        // Field 1 (member_id) announces 5 bytes and brings 1: not protobuf.
        byte[] garbage = {0x0A, 0x05, 'x'};
        ChurnScored impossible = scored("bad-" + run, store, 1.7, 100.0, T1);

        kafka.produce(String.class, byte[].class)
                .fromRecords(new ProducerRecord<>(Topics.CHURN_SCORES, "garbage-" + run, garbage)).awaitCompletion();
        ChurnEvents.publish(kafka, List.of(impossible, scored("good-" + run, store, 0.8, 100.0, T1)));

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().get("/stores/{store}/call-list", store)
                .then().statusCode(200).body("tasks[0].memberId", org.hamcrest.Matchers.equalTo("good-" + run)));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(deadLetter(deadLetters, "garbage-" + run)).hasValueSatisfying(record -> {
                assertThat(record.value()).isEqualTo(garbage);
                assertThat(header(record, "dead-letter-reason")).contains("not a readable");
            });
            assertThat(deadLetter(deadLetters, "bad-" + run)).hasValueSatisfying(record -> {
                assertThat(record.value()).isEqualTo(impossible.toByteArray());
                assertThat(header(record, "dead-letter-reason")).contains("probability");
            });
        });
        assertThat(deadLetter(deadLetters, "good-" + run)).isEmpty();
        deadLetters.stop();
    }

    @Test
    void aTombstoneWithdrawsTheMembersScoreAndCancelsTheirOpenCall() {
        String run = ChurnEvents.run();
        String store = "withdrawn-" + run;
        String withdrawn = "w-" + run;
        String next = "n-" + run;
        ConsumerTask<String, byte[]> deadLetters = kafka.consume(String.class, byte[].class).fromTopics(DEAD_LETTERS);
        // Two scored members: the store's quota is one call, the riskier one's.
        ChurnEvents.publish(kafka, List.of(scored(withdrawn, store, 0.9, 100.0, T1), scored(next, store, 0.8, 100.0, T1)));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().get("/stores/{store}/call-list", store)
                .then().statusCode(200).body("tasks.memberId", contains(withdrawn)));

        // churn-service no longer scores them (every order refunded): their call goes, the store's one call is the
        // other member's.
        ChurnEvents.withdraw(kafka, withdrawn);

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().get("/stores/{store}/call-list", store)
                .then().statusCode(200).body("tasks.memberId", contains(next)));
        assertThat(deadLetter(deadLetters, withdrawn)).isEmpty();
        deadLetters.stop();
    }

    @Test
    void aScorePublishedAfterATombstoneStays() {
        String run = ChurnEvents.run();
        String store = "rescored-" + run;
        String member = "m-" + run;
        ChurnEvents.publish(kafka, List.of(scored(member, store, 0.9, 100.0, T1)));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().get("/stores/{store}/call-list", store)
                .then().statusCode(200).body("tasks.memberId", contains(member)));

        // Withdrawn, then scored again (a new order) as of the same instant, in one send: the member's last record
        // decides, in one batch as in two.
        kafka.produce(String.class, ChurnScored.class).fromRecords(
                new ProducerRecord<String, ChurnScored>(Topics.CHURN_SCORES, member, null),
                new ProducerRecord<>(Topics.CHURN_SCORES, member, scored(member, store, 0.7, 100.0, T1))).awaitCompletion();

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().get("/stores/{store}/call-list", store)
                .then().statusCode(200).body("tasks.memberId", contains(member))
                .body("tasks[0].churnProbability", org.hamcrest.Matchers.equalTo(0.7f)));
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10)).untilAsserted(() -> given()
                .get("/stores/{store}/call-list", store).then().statusCode(200).body("tasks.memberId", contains(member)));
    }
}
