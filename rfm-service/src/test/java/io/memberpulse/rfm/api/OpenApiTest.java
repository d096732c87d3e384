package io.memberpulse.rfm.api;

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
        assertThat(openApi.schemaOf("get", "/segments/{segmentId}/members", "200")).endsWith("/SegmentMemberResponse");
        assertThat(openApi.responses("get", "/members/{memberId}/rfm")).contains("200", "400", "404");
        assertThat(openApi.responses("delete", "/segments/{segmentId}")).contains("204", "404");
        assertThat(openApi.responses("post", "/segments")).contains("201", "400", "409").doesNotContain("200");
        assertThat(openApi.schemaOf("post", "/segments", "201")).endsWith("/DefinedResponse");
        assertThat(openApi.schemaOf("put", "/stores/{storeId}", "200")).endsWith("/StoreResponse");
        assertThat(openApi.responses("put", "/stores/{storeId}")).contains("200", "400");
        assertThat(openApi.responses("delete", "/stores/{storeId}")).contains("204", "400", "404").doesNotContain("200");
        assertThat(openApi.responses("get", "/dashboard/regions")).contains("200", "400");
    }

    /** Fields a request is refused without (a 400 naming them) are required in the schema, as generated clients read it. */
    @Test
    void requestFieldsRefusedWhenMissingAreMarkedRequired() {
        OpenApiDocument openApi = OpenApiDocument.fetch();
        assertThat(openApi.required("SegmentRequest")).containsExactlyInAnyOrder("id", "name", "rule");
        // a change keeps the path's id: the body may leave it out
        assertThat(openApi.required("RedefineRequest")).containsExactlyInAnyOrder("name", "rule");
        assertThat(openApi.required("RegionRequest")).containsExactly("region");
    }

    /** Numeric query parameters are numbers with the bounds the service enforces, not strings (a generator's type). */
    @Test
    void numericQueryParametersAreDocumentedAsTheNumbersTheyAre() {
        OpenApiDocument openApi = OpenApiDocument.fetch();
        assertThat(openApi.numberParameter("get", "/segments/{segmentId}/members", "offset"))
                .isEqualTo("integer 0..100000 default 0");
        assertThat(openApi.numberParameter("get", "/segments/{segmentId}/members", "limit"))
                .isEqualTo("integer 1..10000 default 100");
        assertThat(openApi.numberParameter("get", "/dashboard/order-values", "width")).isEqualTo("number 0.01.. default 10");
    }
}
