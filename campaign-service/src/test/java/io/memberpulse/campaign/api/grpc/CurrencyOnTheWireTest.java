package io.memberpulse.campaign.api.grpc;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import io.grpc.ManagedChannel;
import io.memberpulse.campaign.WithKafkaCompanion;
import io.memberpulse.campaign.domain.experiment.Arm;
import io.memberpulse.campaign.domain.experiment.Assignment;
import io.memberpulse.campaign.store.MemberSegmentRepository;
import io.memberpulse.campaign.testdata.Campaigns;
import io.memberpulse.campaign.testdata.ChurnEvents;
import io.memberpulse.campaign.testdata.SegmentEvents;
import io.memberpulse.devstack.testing.AuthTestResource;
import io.memberpulse.proto.campaign.v1.CallList;
import io.memberpulse.proto.campaign.v1.CallTask;
import io.memberpulse.proto.campaign.v1.CampaignResults;
import io.memberpulse.proto.campaign.v1.CampaignServiceGrpc;
import io.memberpulse.proto.campaign.v1.GetCallListRequest;
import io.memberpulse.proto.campaign.v1.GetCampaignResultsRequest;
import io.memberpulse.proto.campaign.v1.OutcomeResult;
import io.memberpulse.proto.campaign.v1.RecordOutcomeRequest;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;

/**
 * Every answer that carries amounts, gRPC and REST, says their currency (memberpulse.campaign.currency, ISO 4217), so
 * that a client need not read it out of the formatted talking points or guess it: here pounds, not the default yuan.
 */
@QuarkusTest
@TestProfile(CurrencyOnTheWireTest.InPounds.class)
class CurrencyOnTheWireTest extends WithKafkaCompanion {
    @Inject
    Pool database;

    @Inject
    MemberSegmentRepository memberSegments;

    public static class InPounds implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("memberpulse.campaign.currency", "GBP", "memberpulse.campaign.currency-locale", "en-GB");
        }
    }

    @Test
    void callListsTasksAndResultsSayTheConfiguredCurrencyOverGrpcAndRest() {
        String run = ChurnEvents.run();
        String store = "gbp-" + run;
        // Awaited longer: this profile starts its own application, whose consumers may take a while to join.
        var rest = Campaigns.storeWithFirstCall(kafka, store, run, Duration.ofSeconds(120));
        // Every answer is checked, whichever others miss it.
        var softly = new SoftAssertions();
        softly.assertThat(rest.getString("currency")).as("REST call list").isEqualTo("GBP");
        // The staff page writes its own amounts (value at risk, coupons) as the talking points do: in this locale.
        softly.assertThat(rest.getString("currencyLocale")).as("REST call list's locale").isEqualTo("en-GB");
        Instant start = Campaigns.startAroundNow();
        JsonPath plan = Campaigns.plan("""
                {"name": "win-back calls", "targetMinProbability": 0.5, "targetStoreId": "%s", "channel": "call",
                 "couponValue": 10, "startAt": "%s", "endAt": "%s"}""".formatted(store, start,
                start.plus(Campaigns.WINDOW)));
        String campaign = plan.getString("campaign.id");
        // The campaign's own amounts (cost per touch, coupon value), in every answer that carries it.
        softly.assertThat(plan.getString("campaign.currency")).as("REST plan's campaign").isEqualTo("GBP");
        // The plan's own answer says it too, beside the campaign's.
        softly.assertThat(plan.getString("currency")).as("REST plan").isEqualTo("GBP");
        softly.assertThat(given().contentType(ContentType.JSON).body("{\"state\": \"live\"}")
                .post("/campaigns/{id}/state", campaign).then().statusCode(200).extract().<String>path("currency"))
                .as("REST state move's campaign").isEqualTo("GBP");
        softly.assertThat(given().get("/campaigns/{id}", campaign).then().statusCode(200).extract()
                .<String>path("currency")).as("REST campaign").isEqualTo("GBP");
        softly.assertThat(given().get("/campaigns").then().statusCode(200).extract()
                .<String>path("find { it.id == '%s' }.currency".formatted(campaign))).as("REST campaigns")
                .isEqualTo("GBP");
        softly.assertThat(Campaigns.results(campaign).getString("currency")).as("REST results").isEqualTo("GBP");
        // Order values and revenue per arm and store (monitor), the order value before and after (review).
        softly.assertThat(given().get("/campaigns/{id}/monitor", campaign).then().statusCode(200).extract()
                .<String>path("currency")).as("REST monitor").isEqualTo("GBP");
        softly.assertThat(given().get("/campaigns/{id}/review", campaign).then().statusCode(200).extract()
                .<String>path("currency")).as("REST review").isEqualTo("GBP");

        ManagedChannel channel = CampaignGrpcServiceTest.channelAs(AuthTestResource.analyst());
        try {
            var campaigns = CampaignServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
            CallList list = campaigns.getCallList(GetCallListRequest.newBuilder().setStoreId(store).build());
            softly.assertThat(list.getCurrency()).as("gRPC call list").isEqualTo("GBP");
            softly.assertThat(list.getCurrencyLocale()).as("gRPC call list's locale").isEqualTo("en-GB");
            assertThat(list.getTasksList()).isNotEmpty();
            softly.assertThat(list.getTasksList()).as("gRPC call list's tasks").extracting(CallTask::getCurrency)
                    .containsOnly("GBP");

            CallTask task = list.getTasks(0);
            CallTask done = campaigns.recordOutcome(RecordOutcomeRequest.newBuilder().setTaskId(task.getTaskId())
                    .setVersion(task.getVersion()).setResult(OutcomeResult.OUTCOME_RESULT_WILL_RETURN).build());
            softly.assertThat(done.getCurrency()).as("gRPC RecordOutcome's task").isEqualTo("GBP");

            CampaignResults results = campaigns.getCampaignResults(GetCampaignResultsRequest.newBuilder()
                    .setCampaignId(campaign).build());
            softly.assertThat(results.getCurrency()).as("gRPC results").isEqualTo("GBP");
        } finally {
            channel.shutdownNow();
        }
        // The REST call list after the outcome still says it (its cached copy was dropped and rebuilt).
        softly.assertThat(given().get("/stores/{s}/call-list", store).then().statusCode(200).extract()
                .<String>path("currency")).as("REST call list after the outcome").isEqualTo("GBP");
        softly.assertAll();
    }

    /**
     * Next-targets ranks segments by their net gain uplift per member, an amount: each segment says its currency. A
     * segment is ranked once both its arms hold 20 members, so the campaign enrols 20 of each, all in one segment.
     */
    @Test
    void nextTargetsSayTheConfiguredCurrency() {
        String run = ChurnEvents.run();
        String store = "gbp-next-" + run;
        String segment = "seg-" + run;
        Campaigns.knownStore(kafka, store, run);
        Instant start = Campaigns.startAroundNow();
        String campaign = Campaigns.planned("""
                {"name": "win-back sms", "targetMinProbability": 0.5, "targetStoreId": "%s", "channel": "sms",
                 "costPerTouch": 1, "holdoutShare": 0.5, "startAt": "%s", "endAt": "%s"}""".formatted(store, start,
                start.plus(Campaigns.WINDOW)));
        List<String> members = new ArrayList<>();
        for (Arm arm : Arm.values()) {
            members.addAll(Campaigns.members("m", run, 20,
                    m -> Assignment.of(campaign, m, 0.5, List.of()).arm() == arm));
        }
        SegmentEvents.register(kafka);
        SegmentEvents.publish(kafka, members.stream().map(m -> SegmentEvents.change(m, segment, true, start, store))
                .toList());
        Campaigns.scoredIn(kafka, database, store, members);
        await().atMost(Duration.ofSeconds(30)).until(() -> memberSegments.memberships(members, List.of(segment))
                .await().indefinitely().size() == members.size());
        Campaigns.goLive(campaign);

        given().get("/campaigns/{id}/next-targets", campaign).then().statusCode(200)
                .body("segmentId", equalTo(List.of(segment))).body("currency", equalTo(List.of("GBP")));
    }
}
