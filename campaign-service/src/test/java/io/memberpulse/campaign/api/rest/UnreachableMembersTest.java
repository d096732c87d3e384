package io.memberpulse.campaign.api.rest;

import static io.memberpulse.campaign.testdata.ChurnEvents.T1;
import static io.memberpulse.campaign.testdata.ChurnEvents.scored;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import io.memberpulse.campaign.testdata.ChurnEvents;
import io.memberpulse.campaign.testdata.MemberEvents;
import io.memberpulse.proto.churn.v1.ChurnScored;
import io.memberpulse.proto.identity.v1.ChannelEvent;
import io.memberpulse.proto.identity.v1.EventType;
import io.memberpulse.proto.identity.v1.Identifiers;
import io.memberpulse.proto.identity.v1.MemberEvent;
import io.memberpulse.proto.identity.v1.Source;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * With memberpulse.campaign.sop-reach-required (on in production, off for the other tests, whose members carry no
 * phones): a scored member campaign cannot reach (no phone staff can dial, a masked one from a delivery platform not
 * being one, and no POS member number) holds no SOP call, its slot going to the next reachable member; once a full
 * phone arrives for them on member.events their store is replanned and they get their call.
 */
@QuarkusTest
@TestProfile(UnreachableMembersTest.ReachRequired.class)
class UnreachableMembersTest {
    public static class ReachRequired implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("memberpulse.campaign.sop-reach-required", "true");
        }
    }

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    @Inject
    Pool database;

    @Test
    void anUnreachableMemberGetsNoCallUntilAPhoneArrivesThenTheStoreIsReplanned() {
        String run = ChurnEvents.run();
        String store = "reach-" + run;
        String unreachable = "m-" + run + "-1";
        String reachable = "m-" + run + "-2";
        try (KafkaCompanion kafka = ChurnEvents.companion(bootstrapServers)) {
            MemberEvents.register(kafka);
            MemberEvents.publish(kafka, List.of(
                    event(unreachable, "v1-" + run, store, T1, Identifiers.newBuilder().setPhone("139****5678")),
                    event(reachable, "v2-" + run, store, T1, Identifiers.newBuilder().setMemberNo("POS-" + run))));
            await().atMost(Duration.ofSeconds(120)).until(() -> count(
                    "SELECT count(*) FROM member_contact WHERE member_id = $1", unreachable) == 1
                    && count("SELECT count(*) FROM member_number WHERE member_id = $1", reachable) == 1);

            // 10 scored members: one call. The riskiest has only a masked phone; the next has a member number.
            List<ChurnScored> scores = new ArrayList<>();
            scores.add(scored(unreachable, store, 0.95, 300, T1));
            scores.add(scored(reachable, store, 0.9, 300, T1));
            for (int i = 3; i <= 10; i++) {
                scores.add(scored("m-" + run + "-" + i, store, 0.1, 100, T1));
            }
            // Awaited longer: this profile starts its own application, whose consumers may take a while to join.
            await().atMost(Duration.ofSeconds(120)).untilAsserted(() -> {
                ChurnEvents.publish(kafka, scores);
                given().get("/stores/{s}/call-list", store).then().statusCode(200)
                        .body("tasks.size()", equalTo(1)).body("tasks[0].memberId", equalTo(reachable));
            });
            assertThat(count("SELECT count(*) FROM call_task WHERE member_id = $1 AND status = 'OPEN'", unreachable))
                    .as("the member with a masked phone only holds no call").isZero();
            given().get("/q/metrics").then().statusCode(200).body(containsString(
                    "memberpulse_campaign_sop_unreachable_members{store=\"" + store + "\"} 1.0"));

            // Their full phone arrives (a POS visit): no score comes with it, the arrival itself replans the store.
            MemberEvents.publish(kafka, List.of(event(unreachable, "v3-" + run, store, T1.plusSeconds(60),
                    Identifiers.newBuilder().setPhone("+86 139-1234-5678"))));
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().get("/stores/{s}/call-list", store)
                    .then().statusCode(200).body("tasks.memberId", hasItem(unreachable)));
            assertThat(count("SELECT count(*) FROM call_task WHERE member_id = $1 AND status = 'OPEN'", unreachable))
                    .isOne();
        }
    }

    private static MemberEvent event(String member, String eventId, String store, Instant at, Identifiers.Builder ids) {
        return MemberEvent.newBuilder().setMemberId(member).setEvent(ChannelEvent.newBuilder().setEventId(eventId)
                .setSource(Source.SOURCE_POS).setType(EventType.EVENT_TYPE_VISIT).setStoreId(store)
                .setOccurredAt(MemberEvents.timestamp(at)).setIdentifiers(ids)).build();
    }

    private long count(String query, String member) {
        return database.preparedQuery(query).execute(Tuple.of(member)).await().indefinitely().iterator().next().getLong(0);
    }
}
