package io.memberpulse.churn.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.memberpulse.churn.ScoreQueryService;
import io.memberpulse.churn.domain.ScoreExplanation;
import io.memberpulse.devstack.testing.OpenApiDocument;
import io.quarkus.test.junit.QuarkusTest;
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
        assertThat(openApi.schemaOf("get", "/members/{memberId}/score", "200")).endsWith("/ChurnScore");
        assertThat(openApi.responses("get", "/models/{version}/report")).contains("200", "404");
        assertThat(openApi.schemaOf("get", "/models/{version}/report", "200")).endsWith("/ModelReport");
        assertThat(openApi.schemaOf("get", "/models", "200")).endsWith("/ModelVersion");
        assertThat(openApi.schemaOf("post", "/models/train", "202")).endsWith("/ChurnJob");
        assertThat(openApi.responses("get", "/jobs/{id}/scores")).contains("200", "400", "404", "409");
        // an unknown store has no riskiest members: an empty list, not a 404
        assertThat(openApi.responses("get", "/stores/{storeId}/top-risk")).contains("200", "400").doesNotContain("404");
    }

    /** The ROI calculator's inputs it refuses without (a 400 naming them) are required in the schema, as generated clients read it. */
    @Test
    void theRoiRequestsRequiredInputsAreMarkedRequired() {
        var required = given().header("Authorization", "").get("/q/openapi?format=json").then().statusCode(200)
                .extract().jsonPath().getList("components.schemas.RoiRequest.required", String.class);
        assertThat(required).containsExactlyInAnyOrder("members", "riskShare", "winBackUplift", "netValuePerWonBack");
    }

    /**
     * POST /roi's win-back uplift is DOMAIN.md's, per targeted member; the what-if's rate is per churner among the
     * targeted (what makes the model's lift matter): each says which it is, and how to turn one into the other.
     */
    @Test
    void theWinBackRatesSayWhatTheyArePerTargetedMemberOrPerChurner() {
        var openApi = given().header("Authorization", "").get("/q/openapi?format=json").then().statusCode(200)
                .extract().jsonPath();
        String perTargeted = openApi.getString("components.schemas.RoiRequest.properties.winBackUplift.description");
        assertThat(perTargeted).contains("per targeted member").contains("DOMAIN.md").contains("winBackPerChurner");
        String perChurner = openApi.getString(
                "paths.'/roi/what-if'.get.parameters.find { it.name == 'winBackPerChurner' }.description");
        assertThat(perChurner).contains("per churner").contains("winBackUplift").contains("churn rate × lift");
        assertThat(openApi.getString("paths.'/roi/what-if'.get.summary")).contains("winBackPerChurner")
                .doesNotContain("baseWinBack");
    }

    /** Numeric query parameters are numbers with the bounds the service enforces, not strings (a generator's type). */
    @Test
    void numericQueryParametersAreDocumentedAsTheNumbersTheyAre() {
        OpenApiDocument openApi = OpenApiDocument.fetch();
        assertThat(openApi.numberParameter("get", "/members/{memberId}/score/explanation", "k"))
                .isEqualTo("integer 1.." + ScoreExplanation.MAX_K + " default " + ScoreExplanation.DEFAULT_K);
        String topK = "integer 1.." + ScoreQueryService.MAX_TOP_K + " default " + ScoreQueryService.DEFAULT_TOP_K;
        assertThat(openApi.numberParameter("get", "/stores/{storeId}/top-risk", "k")).isEqualTo(topK);
        assertThat(openApi.numberParameter("get", "/scores/top", "k")).isEqualTo(topK);
        assertThat(openApi.numberParameter("get", "/roi/what-if", "members")).isEqualTo("integer 0..1000000000");
        assertThat(openApi.numberParameter("get", "/roi/what-if", "topShare")).isEqualTo("number (0..1");
        assertThat(openApi.numberParameter("get", "/roi/what-if", "touchCost")).isEqualTo("number 0..10000000 default 0");
        assertThat(openApi.numberParameter("get", "/roi/what-if", "couponCost")).isEqualTo("number 0..10000000 default 0");
        assertThat(openApi.numberParameter("get", "/roi/what-if", "netValuePerWonBack")).isEqualTo("number 0..10000000");
        assertThat(openApi.numberParameter("get", "/roi/what-if", "winBackPerChurner")).isEqualTo("number 0..1");
        assertThat(openApi.numberParameter("get", "/jobs", "limit")).isEqualTo("integer 1..200 default 20");
        assertThat(openApi.numberParameter("post", "/models/train", "horizon")).isEqualTo("integer 1..730");
        assertThat(openApi.numberParameter("post", "/models/batch-scores", "horizon")).isEqualTo("integer 1..730");
    }

    /** Store staff asking for another store's riskiest members get a 403 problem document: declared, with its schema. */
    @Test
    void theStoreNotPermitted403IsDeclaredAsAProblem() {
        assertThat(OpenApiDocument.fetch().problemSchemaOf("get", "/stores/{storeId}/top-risk", "403"))
                .isEqualTo("#/components/schemas/Problem");
    }
}
