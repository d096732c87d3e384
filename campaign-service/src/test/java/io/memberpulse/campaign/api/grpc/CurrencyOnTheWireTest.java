package io.memberpulse.campaign.api.grpc;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ManagedChannel;
import io.memberpulse.campaign.WithKafkaCompanion;
import io.memberpulse.campaign.testdata.Campaigns;
import io.memberpulse.campaign.testdata.ChurnEvents;
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
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;

/**
 * Every gRPC answer that carries amounts says their currency (memberpulse.campaign.currency, ISO 4217) as the REST
 * one does, so that a client need not read it out of the formatted talking points: here pounds, not the default yuan.
 */
@QuarkusTest
@TestProfile(CurrencyOnTheWireTest.InPounds.class)
class CurrencyOnTheWireTest extends WithKafkaCompanion {
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
        String campaign = Campaigns.planned("""
                {"name": "win-back calls", "targetMinProbability": 0.5, "targetStoreId": "%s", "channel": "call",
                 "couponValue": 10, "startAt": "%s", "endAt": "%s"}""".formatted(store, start,
                start.plus(Campaigns.WINDOW)));
        Campaigns.goLive(campaign);
        softly.assertThat(Campaigns.results(campaign).getString("currency")).as("REST results").isEqualTo("GBP");

        ManagedChannel channel = CampaignGrpcServiceTest.channelAs(AuthTestResource.analyst());
        try {
            var campaigns = CampaignServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
            CallList list = campaigns.getCallList(GetCallListRequest.newBuilder().setStoreId(store).build());
            softly.assertThat(list.getCurrency()).as("gRPC call list").isEqualTo("GBP");
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
}
