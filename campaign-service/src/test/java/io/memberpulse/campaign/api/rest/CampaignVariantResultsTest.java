package io.memberpulse.campaign.api.rest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import io.grpc.ManagedChannelBuilder;
import io.memberpulse.campaign.WithKafkaCompanion;
import io.memberpulse.campaign.domain.experiment.Arm;
import io.memberpulse.campaign.domain.experiment.Assignment;
import io.memberpulse.campaign.testdata.Campaigns;
import io.memberpulse.campaign.testdata.ChurnEvents;
import io.memberpulse.campaign.testdata.MemberEvents;
import io.memberpulse.devstack.testing.AuthTestResource;
import io.memberpulse.proto.campaign.v1.CampaignServiceGrpc;
import io.memberpulse.proto.campaign.v1.GetCampaignResultsRequest;
import io.memberpulse.proto.campaign.v1.VariantResult;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A campaign's A/B variants are reported apart, each against the holdout they share, over REST and gRPC alike. */
@QuarkusTest
class CampaignVariantResultsTest extends WithKafkaCompanion {
    private static final List<String> VARIANTS = List.of("morning", "evening");

    @Inject
    Pool database;

    /** The serdes of the payloads this test publishes or reads, beside ChurnScored's. */
    @BeforeEach
    void registerSerdes() {
        MemberEvents.register(kafka);
    }

    /**
     * Two "morning" members (one pays ¥60), one "evening" member (pays ¥100) and two held out (one pays ¥40), lines
     * without a margin rate (the default 0.30). Holdout: revenue 20 and margin 6 per member, converted 1 of 2.
     * Morning: 30 and 9 per member, converted 1 of 2: uplifts 10 and 3, conversion 0, Welch's interval on 2 against 2.
     * Evening: 100 and 30, converted 1 of 1: uplifts 80 and 24, no interval (one member; REST null, gRPC absent).
     */
    @Test
    void eachVariantIsReportedAgainstTheSharedHoldoutOverRestAndGrpc() {
        String run = ChurnEvents.run();
        String store = "v-" + run;
        Instant start = Campaigns.startAroundNow();
        Campaigns.knownStore(kafka, store, run);
        String campaign = Campaigns.planned("""
                {"name": "sms a/b", "targetMinProbability": 0.5, "targetStoreId": "%s", "channel": "sms", "costPerTouch": 1,
                 "startAt": "%s", "endAt": "%s", "holdoutShare": 0.5, "variants": ["morning", "evening"]}"""
                .formatted(store, start, start.plus(Campaigns.WINDOW)));
        List<String> morning = members(campaign, run, "morning", 2);
        List<String> evening = members(campaign, run, "evening", 1);
        List<String> heldOut = Campaigns.members("h", run, 2,
                m -> Assignment.of(campaign, m, 0.5, VARIANTS).arm() == Arm.HOLDOUT);
        Campaigns.scoredIn(kafka, database, store,
                List.of(morning.get(0), morning.get(1), evening.get(0), heldOut.get(0), heldOut.get(1)));
        Campaigns.goLiveAt(campaign, start);
        given().get("/campaigns/{id}/members/{m}/assignment", campaign, evening.get(0)).then().statusCode(200)
                .body("variant", org.hamcrest.Matchers.equalTo("evening"));

        Instant bought = start.plus(Duration.ofDays(2));
        MemberEvents.publish(kafka, List.of(
                MemberEvents.orderLine(morning.get(0), run + "-m1", run + "-om", bought, store, "sku-a", "dairy/milk", 1, 60),
                MemberEvents.orderLine(evening.get(0), run + "-e1", run + "-oe", bought, store, "sku-a", "dairy/milk", 1, 100),
                MemberEvents.orderLine(heldOut.get(0), run + "-h1", run + "-oh", bought, store, "sku-a", "dairy/milk", 1, 40)));

        JsonPath rest = await().atMost(Duration.ofSeconds(60)).until(() -> Campaigns.results(campaign),
                results -> results.getDouble("treated.revenuePerMember") > 53.3 && results.getDouble("holdout.revenuePerMember") == 20);
        assertThat(rest.getList("variants.variant", String.class)).containsExactly("morning", "evening");
        assertThat(rest.getDouble("variants[0].treated.members")).isEqualTo(2);
        assertThat(rest.getDouble("variants[0].treated.revenuePerMember")).isCloseTo(30, within(1e-9));
        assertThat(rest.getDouble("variants[0].treated.marginPerMember")).isCloseTo(9, within(1e-9));
        assertThat(rest.getDouble("variants[0].conversionUplift.value")).isCloseTo(0, within(1e-9));
        assertThat(rest.getDouble("variants[0].revenuePerMemberUplift.value")).isCloseTo(10, within(1e-9));
        assertThat(rest.getDouble("variants[0].marginPerMemberUplift.value")).isCloseTo(3, within(1e-9));
        assertThat(rest.getDouble("variants[0].revenuePerMemberUplift.low")).isLessThan(10);
        assertThat(rest.getDouble("variants[1].treated.members")).isEqualTo(1);
        assertThat(rest.getDouble("variants[1].revenuePerMemberUplift.value")).isCloseTo(80, within(1e-9));
        assertThat(rest.getDouble("variants[1].marginPerMemberUplift.value")).isCloseTo(24, within(1e-9));
        assertThat(rest.getMap("variants[1].revenuePerMemberUplift")).containsEntry("low", null);

        var channel = ManagedChannelBuilder.forAddress("localhost", RestAssured.port).usePlaintext()
                .intercept(AuthTestResource.as(AuthTestResource.analyst())).build();
        try {
            var results = CampaignServiceGrpc.newBlockingStub(channel)
                    .getCampaignResults(GetCampaignResultsRequest.newBuilder().setCampaignId(campaign).build());
            assertThat(results.getVariantsList()).extracting(VariantResult::getVariant).containsExactly("morning", "evening");
            for (int i = 0; i < 2; i++) {
                VariantResult variant = results.getVariants(i);
                String at = "variants[" + i + "].";
                assertThat(variant.getTreated().getMembers()).isEqualTo((long) rest.getDouble(at + "treated.members"));
                assertThat(variant.getTreated().getConverted()).isEqualTo((long) rest.getDouble(at + "treated.converted"));
                assertThat(variant.getTreated().getConversionRate()).isEqualTo(rest.getDouble(at + "treated.conversionRate"));
                assertThat(variant.getTreated().getRevenuePerMember()).isEqualTo(rest.getDouble(at + "treated.revenuePerMember"));
                assertThat(variant.getTreated().getMarginPerMember()).isEqualTo(rest.getDouble(at + "treated.marginPerMember"));
                assertThat(variant.getUpliftDefined()).isTrue();
                assertThat(variant.getUplift()).isEqualTo(rest.getDouble(at + "conversionUplift.value"));
                assertThat(variant.getUpliftCiLow()).isEqualTo(rest.getDouble(at + "conversionUplift.low"));
                assertThat(variant.getUpliftCiHigh()).isEqualTo(rest.getDouble(at + "conversionUplift.high"));
                assertThat(variant.getRevenuePerMemberUplift()).isEqualTo(rest.getDouble(at + "revenuePerMemberUplift.value"));
                assertThat(variant.getMarginPerMemberUplift()).isEqualTo(rest.getDouble(at + "marginPerMemberUplift.value"));
            }
            VariantResult both = results.getVariants(0);
            assertThat(both.getRevenuePerMemberUpliftCiLow()).isEqualTo(rest.getDouble("variants[0].revenuePerMemberUplift.low"));
            assertThat(both.getRevenuePerMemberUpliftCiHigh()).isEqualTo(rest.getDouble("variants[0].revenuePerMemberUplift.high"));
            assertThat(both.getMarginPerMemberUpliftCiLow()).isEqualTo(rest.getDouble("variants[0].marginPerMemberUplift.low"));
            assertThat(both.getMarginPerMemberUpliftCiHigh()).isEqualTo(rest.getDouble("variants[0].marginPerMemberUplift.high"));
            // One member: no interval, absent where REST says null.
            VariantResult lone = results.getVariants(1);
            assertThat(lone.hasRevenuePerMemberUplift()).isTrue();
            assertThat(lone.hasRevenuePerMemberUpliftCiLow()).isFalse();
            assertThat(lone.hasMarginPerMemberUpliftCiHigh()).isFalse();
        } finally {
            channel.shutdownNow();
        }
        given().contentType(ContentType.JSON).body("{\"state\": \"review\"}").post("/campaigns/{id}/state", campaign)
                .then().statusCode(200);
    }

    private static List<String> members(String campaign, String run, String variant, int count) {
        return Campaigns.members(variant, run, count, m -> variant.equals(Assignment.of(campaign, m, 0.5, VARIANTS).variant()));
    }
}
