package io.memberpulse.churn;

import com.google.protobuf.MessageLite;
import com.google.protobuf.Timestamp;
import io.memberpulse.churn.domain.ChurnScore;
import io.memberpulse.churn.store.StreamClockRepository;
import io.memberpulse.churn.stream.out.ChurnScorePublisher;
import io.memberpulse.proto.churn.v1.ChurnScored;
import io.memberpulse.proto.identity.v1.ChannelEvent;
import io.memberpulse.proto.identity.v1.EventType;
import io.memberpulse.proto.identity.v1.MemberEvent;
import io.memberpulse.proto.identity.v1.OrderLine;
import io.memberpulse.proto.identity.v1.Source;
import io.memberpulse.proto.kafka.ChurnScoredDeserializer;
import io.memberpulse.proto.kafka.ProtobufSerdes;
import io.memberpulse.proto.kafka.Topics;
import io.quarkus.arc.ClientProxy;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.companion.ConsumerTask;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * What the scoring tests share: Kafka to produce member facts and read churn.scores back, event time counted from 2030
 * (so a test's members never move the ages of another's much), and a member's order. One per test; close it after.
 */
public final class ScoringFixture implements AutoCloseable {
    public static final Duration WAIT = Duration.ofSeconds(45);
    /** The earliest instant tests count from, later than any data set's facts. */
    public static final Instant NOT_BEFORE = Instant.parse("2030-01-01T00:00:00Z");

    private final KafkaCompanion kafka;
    private ConsumerTask<String, ChurnScored> scores;

    public ScoringFixture(String bootstrapServers) {
        kafka = new KafkaCompanion(bootstrapServers);
        kafka.registerSerde(ChurnScored.class, ProtobufSerdes.of(new ChurnScoredDeserializer()));
    }

    /** A short id, unique to a test run, to name its members and stores. */
    public static String runId() {
        return UUID.randomUUID().toString().substring(0, 8);
    }

    /** The event-time clock, but never before {@link #NOT_BEFORE} (nor without a clock yet). */
    public static Instant now(StreamClockRepository streamClock) {
        Instant clock = streamClock.watermark().await().indefinitely().orElse(NOT_BEFORE);
        return clock.isAfter(NOT_BEFORE) ? clock : NOT_BEFORE;
    }

    /** Starts reading churn.scores from its beginning; stopped by close. */
    public ConsumerTask<String, ChurnScored> consumeScores() {
        scores = kafka.consume(String.class, ChurnScored.class).fromTopics(Topics.CHURN_SCORES);
        return scores;
    }

    /** The member's records read so far from churn.scores (a tombstone has no value), in order. */
    public List<ConsumerRecord<String, ChurnScored>> scoresOf(String member) {
        return scores.getRecords().stream().filter(r -> member.equals(r.key())).toList();
    }

    /** Produces the messages on the topic under the key, and waits until the broker has them. */
    public void produce(String topic, String key, MessageLite... messages) {
        kafka.produce(String.class, byte[].class).fromRecords(Arrays.stream(messages)
                .map(message -> new ProducerRecord<>(topic, key, message.toByteArray())).toList()).awaitCompletion(WAIT);
    }

    /** A till order of one line (30 paid) in the store, its order id the event id's. */
    public static MemberEvent order(String member, String eventId, Instant at, String store) {
        return MemberEvent.newBuilder().setMemberId(member).setEvent(ChannelEvent.newBuilder()
                .setEventId(eventId).setSource(Source.SOURCE_POS).setType(EventType.EVENT_TYPE_ORDER)
                .setOccurredAt(timestamp(at)).setStoreId(store)
                .setLine(OrderLine.newBuilder().setOrderId(eventId + "-o").setQuantity(1).setPaidAmount(30))).build();
    }

    public static Timestamp timestamp(Instant at) {
        return Timestamp.newBuilder().setSeconds(at.getEpochSecond()).setNanos(at.getNano()).build();
    }

    @Override
    public void close() {
        if (scores != null) {
            scores.stop();
        }
        kafka.close();
    }

    /**
     * A publisher to install with QuarkusMock that sends through the service's real one; a test overrides the send
     * it wants to fail.
     */
    public static class RelayingPublisher extends ChurnScorePublisher {
        private final ChurnScorePublisher real;

        public RelayingPublisher(ChurnScorePublisher injected) {
            super(null);
            this.real = ClientProxy.unwrap(injected);
        }

        @Override
        public Uni<Void> publish(List<ChurnScore> scores) {
            return real.publish(scores);
        }

        @Override
        public Uni<Void> withdraw(Collection<String> memberIds) {
            return real.withdraw(memberIds);
        }
    }
}
