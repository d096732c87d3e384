package io.memberpulse.churn.stream.in;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.Timestamp;
import io.memberpulse.churn.domain.features.StockOut;
import io.memberpulse.churn.store.ModelInputRepository;
import io.memberpulse.proto.identity.v1.ChannelEvent;
import io.memberpulse.proto.identity.v1.EventType;
import io.memberpulse.proto.identity.v1.MemberEvent;
import io.memberpulse.proto.identity.v1.OrderLine;
import io.memberpulse.proto.identity.v1.Source;
import io.memberpulse.proto.kafka.MemberEventDeserializer;
import io.memberpulse.proto.kafka.ProtobufSerdes;
import io.memberpulse.proto.kafka.Topics;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/** The stock-out contract of proto/README.md: a STOCKOUT on member.events, no member, keyed by store. */
@QuarkusTest
class StockOutRecordingTest {
    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    @Inject
    ModelInputRepository inputs;

    @Test
    void storeStockOutsAreRecordedOnceForTheExposureFeature() {
        String store = "so-" + UUID.randomUUID().toString().substring(0, 8);
        Instant at = Instant.parse("2029-02-01T09:00:00Z");
        MemberEvent stockOut = MemberEvent.newBuilder().setEvent(ChannelEvent.newBuilder().setEventId(store + "-1")
                .setSource(Source.SOURCE_POS).setType(EventType.EVENT_TYPE_STOCKOUT).setStoreId(store)
                .setOccurredAt(Timestamp.newBuilder().setSeconds(at.getEpochSecond()))
                .setLine(OrderLine.newBuilder().setSku("yog-1").setCategory("dairy/yogurt"))).build();
        MemberEvent storeless = stockOut.toBuilder().setEvent(stockOut.getEvent().toBuilder().setEventId(store + "-2")
                .setStoreId("")).build();
        MemberEvent marker = stockOut.toBuilder().setEvent(stockOut.getEvent().toBuilder().setEventId(store + "-3")
                .setStoreId(store + "-marker")).build();
        try (KafkaCompanion kafka = new KafkaCompanion(bootstrapServers)) {
            kafka.registerSerde(MemberEvent.class, ProtobufSerdes.of(new MemberEventDeserializer()));
            kafka.produce(String.class, MemberEvent.class).fromRecords(
                    new ProducerRecord<>(Topics.MEMBER_EVENTS, store, stockOut),
                    new ProducerRecord<>(Topics.MEMBER_EVENTS, store, stockOut),
                    new ProducerRecord<>(Topics.MEMBER_EVENTS, store, storeless),
                    new ProducerRecord<>(Topics.MEMBER_EVENTS, store, marker)).awaitCompletion(Duration.ofSeconds(60));
        }
        // Same key, one partition: once the marker is recorded, the three records before it have been consumed.
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(stockOutsAround(at))
                .extracting(StockOut::storeId).contains(store + "-marker"));
        assertThat(stockOutsAround(at)).filteredOn(s -> s.storeId() == null || !s.storeId().startsWith(store + "-"))
                .as("the stock-out once, the storeless one not at all")
                .containsExactly(new StockOut(at, store, "yog-1", "dairy/yogurt"));
    }

    private List<StockOut> stockOutsAround(Instant at) {
        return inputs.stockOuts(at.minusSeconds(1), at.plusSeconds(1)).await().indefinitely();
    }
}
