package io.memberpulse.campaign.api.rest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.memberpulse.campaign.WithKafkaCompanion;
import io.memberpulse.campaign.domain.experiment.Arm;
import io.memberpulse.campaign.domain.experiment.Assignment;
import io.memberpulse.campaign.testdata.Campaigns;
import io.memberpulse.campaign.testdata.ChurnEvents;
import io.memberpulse.campaign.testdata.MemberEvents;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A campaign taken live after its planned start_at is measured from when it went live: nothing it did can have
 * caused a purchase before that, and its holdout did not exist yet.
 */
@QuarkusTest
class CampaignLateStartTest extends WithKafkaCompanion {
    @Inject
    Pool database;

    /** The serdes of the payloads this test publishes or reads, beside ChurnScored's. */
    @BeforeEach
    void registerSerdes() {
        MemberEvents.register(kafka);
    }

    @Test
    void purchasesBeforeACampaignWentLiveLateDoNotCount() {
        String run = ChurnEvents.run();
        String store = "s-" + run;
        Instant start = Instant.now().minus(Duration.ofDays(10));
        Campaigns.knownStore(kafka, store, run);
        String campaign = Campaigns.planned("""
                {"name": "late", "targetMinProbability": 0.5, "targetStoreId": "%s", "channel": "sms", "costPerTouch": 1,
                 "startAt": "%s", "endAt": "%s", "holdoutShare": 0.5}"""
                .formatted(store, start, start.plus(Campaigns.WINDOW)));
        List<String> members = new ArrayList<>(Campaigns.members("t", run, 2, m -> armOf(campaign, m) == Arm.TREATED));
        members.addAll(Campaigns.members("h", run, 2, m -> armOf(campaign, m) == Arm.HOLDOUT));
        Campaigns.scoredIn(kafka, database, store, members);
        // Each bought five days ago: after the planned start, before the campaign went live.
        Instant bought = Instant.now().minus(Duration.ofDays(5));
        Campaigns.boughtOnce(kafka, database, store, members, bought, 50);

        Instant beforeLive = Instant.now();
        Instant startAt = Instant.parse(given().contentType(ContentType.JSON).body("{\"state\": \"live\"}")
                .post("/campaigns/{id}/state", campaign).then().statusCode(200).extract().path("startAt"));
        assertThat(startAt).as("measured from going live").isAfterOrEqualTo(beforeLive.minusSeconds(1));

        JsonPath monitor = given().get("/campaigns/{id}/monitor", campaign).then().statusCode(200).extract().jsonPath();
        assertThat(monitor.getInt("overall.treated.members")).isEqualTo(2);
        assertThat(monitor.getInt("overall.holdout.members")).isEqualTo(2);
        assertThat(monitor.getInt("overall.treated.converted")).isZero();
        assertThat(monitor.getInt("overall.holdout.converted")).isZero();
        JsonPath results = Campaigns.results(campaign);
        assertThat(results.getDouble("treated.converted")).isZero();
        assertThat(results.getDouble("holdout.converted")).isZero();
    }

    private static Arm armOf(String campaign, String member) {
        return Assignment.of(campaign, member, 0.5, List.of()).arm();
    }
}
