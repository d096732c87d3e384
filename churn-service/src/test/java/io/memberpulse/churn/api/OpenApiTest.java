package io.memberpulse.churn.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

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
}
