package io.memberpulse.churn.api.rest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.Timestamp;
import io.memberpulse.churn.ModelRegistry;
import io.memberpulse.churn.domain.model.TrainedChurnModel;
import io.memberpulse.churn.store.ModelInputRepository;
import io.memberpulse.churn.store.ModelRepository;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.IntFunction;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * One channel's feed stops while the others flow: the delivery platform's orders stop arriving a month before as-of,
 * the tills' keep coming. The chain as a whole still sells every day, but the delivery members' labels would call them
 * churned: a training run and a batch score are refused (409, naming the channel, its days and the purchases expected
 * against none seen), and the serving model stays. Facts from 2026-03 to 2027-06, between the other tests' (2016 and
 * before, 2028 on).
 */
@QuarkusTest
class ChannelOutageResourceTest {
    static final Instant AS_OF = Instant.parse("2027-06-01T12:00:00Z");
    /** The delivery platform's last order; nothing of it arrives after. */
    static final Instant DELIVERY_STOPPED = Instant.parse("2027-05-01T12:00:00Z");
    static final Instant HISTORY_BEGINS = Instant.parse("2026-03-01T00:00:00Z");

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    @Inject
    ModelInputRepository inputs;

    @Inject
    ModelRegistry registry;

    @Inject
    ModelRepository models;

    @Test
    void aChannelSilentForAMonthWhileTheOthersSellRefusesTrainingAndBatchScores() {
        String run = "co-" + UUID.randomUUID().toString().substring(0, 8);
        List<ProducerRecord<String, MemberEvent>> records = new ArrayList<>();
        // Fifteen months of history: 40 till members buying every other day up to as-of, 40 who stopped one by one
        // from June to February (the churners a model learns from: without the guard this run trains), and 24
        // delivery members buying every other day until the platform's feed stopped.
        records.addAll(orders(run + "-pos", 40, Source.SOURCE_POS, m -> AS_OF));
        records.addAll(orders(run + "-gone", 40, Source.SOURCE_POS,
                m -> Instant.parse("2026-06-01T12:00:00Z").plus(Duration.ofDays(6L * m))));
        records.addAll(orders(run + "-delivery", 24, Source.SOURCE_DELIVERY, m -> DELIVERY_STOPPED));
        try (KafkaCompanion kafka = new KafkaCompanion(bootstrapServers)) {
            kafka.registerSerde(MemberEvent.class, ProtobufSerdes.of(new MemberEventDeserializer()));
            kafka.produce(String.class, MemberEvent.class).fromRecords(records).awaitCompletion(Duration.ofSeconds(60));
        }
        String lastTill = run + "-pos-m0"; // its last order at as-of
        await().atMost(Duration.ofSeconds(60)).until(() -> inputs.purchasesOf(List.of(lastTill)).await().indefinitely()
                .getOrDefault(lastTill, List.of()).stream().anyMatch(p -> p.occurredAt().equals(AS_OF)));
        Optional<String> serving = registry.current().map(TrainedChurnModel::version);
        Optional<String> promoted = models.promoted().await().indefinitely().map(stored -> stored.summary().version());
        int versions = given().get("/models").then().statusCode(200).extract().jsonPath().getList("version").size();

        Jobs.Followed training = Jobs.run("/models/train?asOf=2027-06-01T12:00:00Z");

        assertThat(training.state()).isEqualTo("failed");
        assertThat(training.end().getInt("problem.status")).isEqualTo(409);
        // the chain's days (Asia/Shanghai): the last delivery order on 2027-05-01 (20:00 there), as-of on 2027-06-01
        assertThat(training.end().getString("problem.detail"))
                .startsWith("purchase feed outage in channel delivery, no model trained: ")
                .contains("no purchase recorded in channel delivery on the 31 days 2027-05-02 to 2027-06-01 "
                        + "(still silent at as-of)")
                .contains("had 12.0 members buying a day there: about 372 purchases expected, 0 seen")
                .contains("the current model is kept").contains("memberpulse.churn.label-outage-closed-channels");
        assertThat(registry.current().map(TrainedChurnModel::version)).isEqualTo(serving);
        assertThat(models.promoted().await().indefinitely().map(stored -> stored.summary().version()))
                .isEqualTo(promoted);
        assertThat(given().get("/models").then().statusCode(200).extract().jsonPath().getList("version"))
                .as("no version stored").hasSize(versions);

        Jobs.Followed batch = Jobs.run("/models/batch-scores?asOf=2027-06-01T12:00:00Z&horizon=90");

        assertThat(batch.state()).isEqualTo("failed");
        assertThat(batch.end().getInt("problem.status")).isEqualTo(409);
        assertThat(batch.end().getString("problem.detail"))
                .startsWith("purchase feed outage in channel delivery, no model trained: ")
                .contains("on the 31 days 2027-05-02 to 2027-06-01").contains("0 seen");
    }

    /**
     * Each member m buys one line (20 paid) every other day back from last(m) (odd members from the day before) to
     * 2026-03-01.
     */
    static List<ProducerRecord<String, MemberEvent>> orders(String prefix, int members, Source source,
            IntFunction<Instant> last) {
        List<ProducerRecord<String, MemberEvent>> records = new ArrayList<>();
        for (int m = 0; m < members; m++) {
            String member = prefix + "-m" + m;
            for (int n = 0;; n++) {
                Instant at = last.apply(m).minus(Duration.ofDays(2L * n + (m % 2)));
                if (at.isBefore(HISTORY_BEGINS)) {
                    break;
                }
                MemberEvent event = MemberEvent.newBuilder().setMemberId(member).setEvent(ChannelEvent.newBuilder()
                        .setEventId(member + "-" + n).setSource(source).setType(EventType.EVENT_TYPE_ORDER)
                        .setOccurredAt(Timestamp.newBuilder().setSeconds(at.getEpochSecond())).setStoreId("S-co")
                        .setLine(OrderLine.newBuilder().setOrderId(member + "-o" + n).setQuantity(1).setPaidAmount(20)))
                        .build();
                records.add(new ProducerRecord<>(Topics.MEMBER_EVENTS, member, event));
            }
        }
        return records;
    }
}
