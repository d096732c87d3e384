package io.memberpulse.campaign.testdata;

import com.google.protobuf.Timestamp;
import io.memberpulse.proto.churn.v1.ChurnScored;
import io.memberpulse.proto.kafka.ChurnScoredDeserializer;
import io.memberpulse.proto.kafka.ProtobufSerdes;
import io.memberpulse.proto.kafka.Topics;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Test data: ChurnScored events as churn-service publishes them, and a way to publish them. */
public final class ChurnEvents {
    public static final Instant T1 = Instant.parse("2024-03-01T00:00:00Z");

    private ChurnEvents() {
    }

    /** A prefix of ids that no other test or earlier run uses. */
    public static String run() {
        return UUID.randomUUID().toString().substring(0, 8);
    }

    public static KafkaCompanion companion(String bootstrapServers) {
        KafkaCompanion kafka = new KafkaCompanion(bootstrapServers);
        kafka.registerSerde(ChurnScored.class, ProtobufSerdes.of(new ChurnScoredDeserializer()));
        return kafka;
    }

    public static ChurnScored scored(String memberId, String storeId, double probability, double value, Instant asOf) {
        return ChurnScored.newBuilder().setMemberId(memberId).setHomeStoreId(storeId).setProbability(probability)
                .setMemberValue(value).setModelVersion("test").setHorizonDays(90)
                .setAsOf(Timestamp.newBuilder().setSeconds(asOf.getEpochSecond())).build();
    }

    /** Publishes a tombstone of the member (their id as key, no value), as churn-service withdraws a score. */
    public static void withdraw(KafkaCompanion kafka, String memberId) {
        kafka.produce(String.class, ChurnScored.class)
                .fromRecords(new ProducerRecord<String, ChurnScored>(Topics.CHURN_SCORES, memberId, null))
                .awaitCompletion();
    }

    /** Publishes the scores keyed by member id, as the topic contract says, and waits for the broker. */
    public static void publish(KafkaCompanion kafka, List<ChurnScored> scores) {
        kafka.produce(String.class, ChurnScored.class)
                .fromRecords(scores.stream()
                        .map(score -> new ProducerRecord<>(Topics.CHURN_SCORES, score.getMemberId(), score))
                        .toList())
                .awaitCompletion();
    }

    /**
     * Publishes the scores in the list's order, all to one partition (keyed by member id still), so that they are
     * consumed in that order: a test that expects the first to be planned before the others arrive. Keyed by member id
     * alone they land on different partitions, and a later score may be consumed in an earlier batch.
     */
    public static void publishInOrder(KafkaCompanion kafka, List<ChurnScored> scores) {
        kafka.produce(String.class, ChurnScored.class)
                .fromRecords(scores.stream()
                        .map(score -> new ProducerRecord<>(Topics.CHURN_SCORES, 0, score.getMemberId(), score))
                        .toList())
                .awaitCompletion();
    }
}
