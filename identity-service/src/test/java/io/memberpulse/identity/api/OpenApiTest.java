package io.memberpulse.identity.api;

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
        assertThat(openApi.schemaOf("get", "/members/{memberId}", "200")).endsWith("/MemberView");
        assertThat(openApi.responses("get", "/members/{memberId}")).contains("200", "404", "401", "403");
        assertThat(openApi.responses("get", "/orders/{source}/{orderId}/attribution")).contains("200", "400", "404");
        assertThat(openApi.responses("post", "/members/{memberId}/split")).contains("200", "400", "404", "409", "503");
        assertThat(openApi.responses("post", "/events")).contains("400", "503");
    }

    /** A split is refused without its parts, a part without its events, or without a reason: required in the schema. */
    @Test
    void splitFieldsRefusedWhenMissingAreMarkedRequired() {
        OpenApiDocument openApi = OpenApiDocument.fetch();
        assertThat(openApi.required("SplitRequest")).containsExactlyInAnyOrder("parts", "reason");
        assertThat(openApi.required("SplitPartRequest")).containsExactly("eventKeys");
    }
}
