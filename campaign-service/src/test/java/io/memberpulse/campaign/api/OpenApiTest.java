package io.memberpulse.campaign.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.memberpulse.campaign.domain.experiment.Campaign;
import io.memberpulse.devstack.testing.OpenApiDocument;
import io.quarkus.test.junit.QuarkusTest;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What a frontend's code generator reads in /q/openapi: each answer's schema, and every error as a problem document. */
@QuarkusTest
class OpenApiTest {
    @Test
    void everyErrorIsDocumentedAsTheProblemDocumentItIs() {
        assertThat(OpenApiDocument.fetch().assertEveryErrorIsAProblem()).isGreaterThan(5);
    }

    @Test
    void operationsThatCanFindNothingDeclareTheir404BesideTheirAnswer() {
        OpenApiDocument openApi = OpenApiDocument.fetch();
        assertThat(openApi.schemaOf("get", "/campaigns/{id}", "200")).endsWith("/Campaign");
        assertThat(openApi.responses("get", "/campaigns/{id}")).contains("200", "404");
        assertThat(openApi.responses("post", "/campaigns")).contains("201", "400").doesNotContain("200");
        assertThat(openApi.schemaOf("post", "/campaigns", "201")).endsWith("/PlanResponse");
        assertThat(openApi.responses("post", "/campaigns/{id}/state")).contains("200", "400", "404", "409", "503");
        assertThat(openApi.responses("get", "/stores/{storeId}/call-list")).contains("200", "400", "404");
        assertThat(openApi.responses("post", "/tasks/{taskId}/outcome")).contains("200", "400", "404", "409");
    }

    /** A sample-size hint for an uplift below a tenth of a point was Long.MAX_VALUE: the floor is documented. */
    @Test
    void thePlansMinimumUpliftDocumentsItsFloor() {
        Map<String, Object> uplift = given().header("Authorization", "").get("/q/openapi?format=json").then()
                .statusCode(200).extract().jsonPath().getMap("components.schemas.CampaignRequest.properties.minimumUplift");
        assertThat(uplift).containsEntry("minimum", 0.001f);
    }

    /** The results' ROI interval and its significance are documented as answered (and as gRPC carries them). */
    @Test
    void campaignResultsDocumentTheRoiIntervalAndItsSignificance() {
        OpenApiDocument openApi = OpenApiDocument.fetch();
        assertThat(openApi.schemaOf("get", "/campaigns/{id}/results", "200")).endsWith("/CampaignReview");
        Map<String, Object> properties = given().header("Authorization", "").get("/q/openapi?format=json").then()
                .statusCode(200).extract().jsonPath().getMap("components.schemas.CampaignReview.properties");
        assertThat(properties).containsKeys("roi", "roiLow", "roiHigh", "roiSignificant");
        // Revenue and margin side by side: the ROI is on margin.
        assertThat(properties).containsKeys("revenuePerMemberUplift", "incrementalRevenue", "marginPerMemberUplift",
                "incrementalGain");
        // Each A/B variant against the shared holdout.
        assertThat(properties).containsKey("variants");
    }

    /**
     * The answers carrying amounts are documented under the domain types' names, with the figures' fields and the
     * currency they are in beside them, as answered; the plan says its currency beside its campaign's.
     */
    @Test
    void answersCarryingAmountsDocumentTheirFiguresAndTheirCurrency() {
        OpenApiDocument openApi = OpenApiDocument.fetch();
        assertThat(openApi.schemaOf("get", "/campaigns", "200")).endsWith("/Campaign");
        assertThat(openApi.schemaOf("get", "/campaigns/{id}/monitor", "200")).endsWith("/Live");
        assertThat(openApi.schemaOf("get", "/campaigns/{id}/review", "200")).endsWith("/BeforeAfter");
        assertThat(openApi.schemaOf("get", "/campaigns/{id}/next-targets", "200")).endsWith("/SegmentUplift");
        var schemas = given().header("Authorization", "").get("/q/openapi?format=json").then().statusCode(200)
                .extract().jsonPath();
        Map<String, List<String>> figures = Map.of("Campaign", List.of("id", "costPerTouch", "couponValue", "state"),
                "CampaignReview", List.of("cost", "incrementalGain", "roi", "variants"),
                "Live", List.of("overall", "stores"), "BeforeAfter", List.of("metrics", "roi"),
                "SegmentUplift", List.of("segmentId", "gainUplift", "gainUpliftLowPerCost"),
                "PlanResponse", List.of("campaign", "audience", "sampleSizePerArm"));
        figures.forEach((schema, fields) -> assertThat(schemas.getMap("components.schemas." + schema + ".properties"))
                .as(schema).containsKeys(fields.toArray(String[]::new)).containsKey("currency")
                .doesNotContainKeys("review", "live", "beforeAfter", "segment"));
        assertThat(schemas.getMap("components.schemas.Campaign.properties")).doesNotContainKey("campaign");
        assertThat(schemas.getString("components.schemas.PlanResponse.properties.campaign.'$ref'")).endsWith("/Campaign");
        assertThat(schemas.getList("components.schemas.BeforeAfter.properties.roi.type", String.class))
                .containsExactlyInAnyOrder("number", "null");
    }

    /** Undefined figures are JSON null (an empty arm, nothing spent): the schema says they may be, for generated clients. */
    @Test
    void undefinedFiguresAreDocumentedAsNullableNumbers() {
        var schemas = given().header("Authorization", "").get("/q/openapi?format=json").then().statusCode(200)
                .extract().jsonPath();
        for (String figure : List.of("CampaignReview.properties.roi", "CampaignReview.properties.roiLow",
                "Estimate.properties.value", "Estimate.properties.low")) {
            assertThat(schemas.getList("components.schemas." + figure + ".type", String.class)).as(figure)
                    .containsExactlyInAnyOrder("number", "null");
        }
        assertThat(schemas.getString("components.schemas.CampaignReview.properties.cost.type")).isEqualTo("number");
    }

    /** Fields a request is refused without (a 400 naming them) are required in the schema, as generated clients read it. */
    @Test
    void requestFieldsRefusedWhenMissingAreMarkedRequired() {
        var schemas = given().header("Authorization", "").get("/q/openapi?format=json").then().statusCode(200)
                .extract().jsonPath();
        assertThat(schemas.getList("components.schemas.OutcomeRequest.required", String.class))
                .containsExactlyInAnyOrder("reached", "result", "version");
        assertThat(schemas.getList("components.schemas.StateRequest.required", String.class)).containsExactly("state");
        // channel too: Campaign refuses a plan without one ("channel: must be one of ...").
        assertThat(schemas.getList("components.schemas.CampaignRequest.required", String.class))
                .containsExactlyInAnyOrder("name", "channel", "startAt", "endAt");
        assertThat(schemas.getList("components.schemas.CampaignRequest.properties.channel.enum", String.class))
                .containsExactlyInAnyOrderElementsOf(Campaign.CHANNELS);
    }

    /** A 403 the service answers itself (reveals turned off) is the problem document it is, for generated clients. */
    @Test
    void theRevealsOff403IsDocumentedAsAProblem() {
        assertThat(OpenApiDocument.fetch().problemSchemaOf("post", "/tasks/{taskId}/contact", "403"))
                .isEqualTo("#/components/schemas/Problem");
    }
}
