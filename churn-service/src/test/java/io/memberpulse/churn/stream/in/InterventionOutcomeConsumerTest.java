package io.memberpulse.churn.stream.in;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.Timestamp;
import io.memberpulse.churn.ScoreMembersService;
import io.memberpulse.churn.ScoringFixture;
import io.memberpulse.churn.domain.features.Activity;
import io.memberpulse.churn.store.ModelInputRepository;
import io.memberpulse.churn.store.StreamClockRepository;
import io.memberpulse.proto.campaign.v1.InterventionOutcome;
import io.memberpulse.proto.campaign.v1.OutcomeResult;
import io.memberpulse.proto.kafka.Topics;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.reactive.messaging.kafka.companion.ConsumerTask;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

@QuarkusTest
class InterventionOutcomeConsumerTest {
    private static final String DEAD_LETTERS = Topics.deadLetter(Topics.INTERVENTION_OUTCOMES);

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    @Inject
    ModelInputRepository inputs;

    @Inject
    StreamClockRepository streamClock;

    @Inject
    ScoreMembersService scoring;

    static InterventionOutcome outcome(String task, String member, boolean reached, Instant at) {
        return InterventionOutcome.newBuilder().setTaskId(task).setMemberId(member).setStoreId("s1").setReached(reached)
                .setResult(reached ? OutcomeResult.OUTCOME_RESULT_WILL_RETURN : OutcomeResult.OUTCOME_RESULT_NOT_REACHED)
                .setRecordedAt(Timestamp.newBuilder().setSeconds(at.getEpochSecond())).build();
    }

    @Test
    void outcomesBecomeTreatmentFactsOncePerTaskAndBrokenOnesAreDeadLetteredAlone() {
        String run = UUID.randomUUID().toString().substring(0, 8);
        String member = "treated-" + run;
        Instant at = Instant.parse("2029-03-01T10:00:00Z");
        byte[] garbage = {0x0A, 0x05, 'x'}; // field 1 announces 5 bytes and brings 1: not protobuf
        InterventionOutcome memberless = outcome("t-none-" + run, "", true, at);
        try (KafkaCompanion kafka = new KafkaCompanion(bootstrapServers)) {
            ConsumerTask<String, byte[]> deadLetters = kafka.consume(String.class, byte[].class).fromTopics(DEAD_LETTERS);
            kafka.produce(String.class, byte[].class).fromRecords(
                    new ProducerRecord<>(Topics.INTERVENTION_OUTCOMES, "garbage-" + run, garbage),
                    new ProducerRecord<>(Topics.INTERVENTION_OUTCOMES, "memberless-" + run, memberless.toByteArray()),
                    record(outcome("t1-" + run, member, true, at)),
                    record(outcome("t1-" + run, member, true, at)), // the same task again: recorded once
                    record(outcome("t2-" + run, member, false, at.plusSeconds(3600)))).awaitCompletion(Duration.ofSeconds(60));

            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                List<Activity> recorded = inputs.activitiesOf(List.of(member)).await().indefinitely()
                        .getOrDefault(member, List.of());
                assertThat(recorded).hasSize(2).allMatch(a -> a.kind() == Activity.Kind.INTERVENTION);
                assertThat(recorded).filteredOn(Activity::isTreatment).singleElement()
                        .satisfies(a -> assertThat(a.text()).isEqualTo("will_return"));
            });
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                assertThat(deadLetter(deadLetters, "garbage-" + run)).hasValueSatisfying(
                        r -> assertThat(r.value()).isEqualTo(garbage));
                assertThat(deadLetter(deadLetters, "memberless-" + run)).hasValueSatisfying(
                        r -> assertThat(header(r, "dead-letter-reason")).contains("member_id"));
            });
            assertThat(deadLetters.getRecords()).noneMatch(r -> r.key() != null && r.key().startsWith("treated-" + run));
            deadLetters.stop();
        }
    }

    @Test
    void anOutcomeRecordedAfterEveryFactIsPlacedAtTheEventClockSoThatTheFactsAfterItLabelIt() {
        String run = UUID.randomUUID().toString().substring(0, 8);
        String member = "called-after-import-" + run;
        // a purchase before the clock (or at the instant tests count from): the clock stays where the others read it
        scoring.record(List.of(ScoringFixture.order(member, member + "-0",
                ScoringFixture.now(streamClock).minus(Duration.ofDays(10)), "S-" + member)));
        Instant clockBefore = streamClock.watermark().await().indefinitely().orElseThrow();
        Instant wallClock = clockBefore.plus(Duration.ofDays(5_000)); // the demo: 2010-2011 facts, called in 2026
        try (KafkaCompanion kafka = new KafkaCompanion(bootstrapServers)) {
            kafka.produce(String.class, byte[].class).fromRecords(record(outcome("t-" + run, member, true, wallClock)))
                    .awaitCompletion(Duration.ofSeconds(60));
        }
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(inputs.activitiesOf(List.of(member))
                .await().indefinitely().getOrDefault(member, List.of())).anyMatch(Activity::isInterventionAttempt));

        Instant placed = inputs.activitiesOf(List.of(member)).await().indefinitely().get(member).stream()
                .filter(Activity::isInterventionAttempt).findFirst().orElseThrow().at();
        assertThat(placed).as("at the event clock when recorded, not at the wall clock after every fact")
                .isAfterOrEqualTo(clockBefore).isBeforeOrEqualTo(streamClock.watermark().await().indefinitely().orElseThrow());
    }

    private static ProducerRecord<String, byte[]> record(InterventionOutcome outcome) {
        return new ProducerRecord<>(Topics.INTERVENTION_OUTCOMES, outcome.getMemberId(), outcome.toByteArray());
    }

    private static Optional<ConsumerRecord<String, byte[]>> deadLetter(ConsumerTask<String, byte[]> task, String key) {
        return task.getRecords().stream().filter(record -> key.equals(record.key())).findFirst();
    }

    private static String header(ConsumerRecord<String, byte[]> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null ? "" : new String(header.value(), StandardCharsets.UTF_8);
    }
}
