package io.memberpulse.campaign.api.rest;

import static io.memberpulse.campaign.testdata.ChurnEvents.T1;
import static io.memberpulse.campaign.testdata.ChurnEvents.scored;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import com.google.protobuf.Timestamp;
import io.memberpulse.campaign.testdata.ChurnEvents;
import io.memberpulse.proto.churn.v1.ChurnScored;
import io.memberpulse.proto.identity.v1.ChannelEvent;
import io.memberpulse.proto.identity.v1.EventType;
import io.memberpulse.proto.identity.v1.Identifiers;
import io.memberpulse.proto.identity.v1.MemberEvent;
import io.memberpulse.proto.identity.v1.Source;
import io.memberpulse.proto.kafka.MemberEventDeserializer;
import io.memberpulse.proto.kafka.ProtobufSerdes;
import io.memberpulse.proto.kafka.Topics;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

@QuarkusTest
class CallListContactTest {
    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    @Test
    void aCallListEntryCarriesTheMembersMaskedPhoneFromMemberEvents() {
        String run = ChurnEvents.run();
        String store = "s-" + run;
        String member = "m-" + run + "-1";
        try (KafkaCompanion kafka = ChurnEvents.companion(bootstrapServers)) {
            kafka.registerSerde(MemberEvent.class, ProtobufSerdes.of(new MemberEventDeserializer()));
            kafka.produce(String.class, MemberEvent.class).fromRecords(new ProducerRecord<>(Topics.MEMBER_EVENTS, member,
                    MemberEvent.newBuilder().setMemberId(member).setEvent(ChannelEvent.newBuilder()
                            .setEventId("v-" + run).setSource(Source.SOURCE_POS).setType(EventType.EVENT_TYPE_VISIT)
                            .setStoreId(store).setOccurredAt(Timestamp.newBuilder().setSeconds(T1.getEpochSecond()))
                            .setIdentifiers(Identifiers.newBuilder().setPhone("+86 139-1234-5678"))).build()))
                    .awaitCompletion();
            List<ChurnScored> scores = new ArrayList<>();
            scores.add(scored(member, store, 0.9, 300, T1));
            for (int i = 2; i <= 10; i++) {
                scores.add(scored("m-" + run + "-" + i, store, 0.1, 100, T1));
            }
            // The phone may arrive after the task was listed: poll until both are there.
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                ChurnEvents.publish(kafka, scores);
                given().get("/stores/{s}/call-list", store).then().statusCode(200)
                        .body("tasks[0].memberId", equalTo(member))
                        .body("tasks[0].maskedPhone", equalTo("139****5678"));
            });
        }
    }
}
