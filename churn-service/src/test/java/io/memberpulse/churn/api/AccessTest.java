package io.memberpulse.churn.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.hamcrest.Matchers.containsString;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.memberpulse.devstack.testing.AuthTestResource;
import io.memberpulse.devstack.testing.OpenEndpoints;
import io.memberpulse.proto.auth.Roles;
import io.memberpulse.proto.churn.v1.ChurnServiceGrpc;
import io.memberpulse.proto.churn.v1.ListModelsRequest;
import io.memberpulse.proto.churn.v1.TopRiskRequest;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import org.junit.jupiter.api.Test;

/**
 * Who may call what: analysts everything, store staff their own store's riskiest members (and those members' scores and
 * explanations: ScoreResourceTest, ScoreExplanationResourceTest), nobody without a token.
 */
@QuarkusTest
class AccessTest {
    static String bearer(String token) {
        return "Bearer " + token;
    }

    @Test
    void restNeedsAValidTokenWithTheRoleAndStaffSeeOnlyTheirStore() {
        given().header("Authorization", "").get("/stats").then().statusCode(401);
        given().header("Authorization", "Bearer not-a-jwt").get("/stats").then().statusCode(401);
        given().header("Authorization", bearer(AuthTestResource.withRoles(Roles.INGEST))).get("/stats").then().statusCode(403);
        given().header("Authorization", bearer(AuthTestResource.staff("s1"))).get("/models").then().statusCode(403);
        given().header("Authorization", bearer(AuthTestResource.staff("s1"))).post("/models/train").then().statusCode(403);
        given().header("Authorization", bearer(AuthTestResource.analyst())).get("/stats").then().statusCode(200);

        given().header("Authorization", bearer(AuthTestResource.staff("s1"))).get("/stores/s1/top-risk?k=5")
                .then().statusCode(200);
        given().header("Authorization", bearer(AuthTestResource.staff("s1"))).get("/stores/s2/top-risk?k=5")
                .then().statusCode(403).body("detail", containsString("staff of store s1 may not see store s2"));
        given().header("Authorization", bearer(AuthTestResource.withRoles(Roles.STAFF))).get("/stores/s1/top-risk")
                .then().statusCode(403).body("detail", containsString("names no store"));
        given().header("Authorization", bearer(AuthTestResource.analyst())).get("/stores/s2/top-risk?k=5")
                .then().statusCode(200);
    }

    @Test
    void aWellSignedTokenForAnotherAudienceOrIssuerOrPastItsExpiryIsNoToken() {
        ManagedChannel channel = ManagedChannelBuilder.forAddress("localhost", RestAssured.port).usePlaintext().build();
        try {
            AuthTestResource.wellSignedButInvalid().forEach((what, token) -> {
                assertThat(given().header("Authorization", bearer(token)).get("/stats").statusCode()).as(what).isEqualTo(401);
                var stub = ChurnServiceGrpc.newBlockingStub(channel).withInterceptors(AuthTestResource.as(token));
                assertCode(() -> stub.listModels(ListModelsRequest.getDefaultInstance()), Status.Code.UNAUTHENTICATED);
            });
        } finally {
            channel.shutdownNow();
        }
    }

    @Test
    void probesMetricsAndOpenApiStayOpen() {
        OpenEndpoints.assertOpenWithoutToken();
    }

    @Test
    void grpcNeedsAValidTokenWithTheRoleAndStaffSeeOnlyTheirStore() {
        ManagedChannel channel = ManagedChannelBuilder.forAddress("localhost", RestAssured.port).usePlaintext().build();
        try {
            var anonymous = ChurnServiceGrpc.newBlockingStub(channel);
            assertCode(() -> anonymous.listModels(ListModelsRequest.getDefaultInstance()), Status.Code.UNAUTHENTICATED);
            var staff = anonymous.withInterceptors(AuthTestResource.as(AuthTestResource.staff("s1")));
            assertCode(() -> staff.listModels(ListModelsRequest.getDefaultInstance()), Status.Code.PERMISSION_DENIED);
            assertThat(staff.topRisk(TopRiskRequest.newBuilder().setStoreId("s1").setK(3).build()).getScoresList())
                    .allSatisfy(score -> assertThat(score.getHomeStoreId()).isEqualTo("s1"));
            assertCode(() -> staff.topRisk(TopRiskRequest.newBuilder().setStoreId("s2").setK(3).build()),
                    Status.Code.PERMISSION_DENIED);
            assertCode(() -> staff.topRisk(TopRiskRequest.newBuilder().setK(3).build()), Status.Code.PERMISSION_DENIED);
            // refused before the arguments are judged, as over REST
            assertCode(() -> staff.topRisk(TopRiskRequest.newBuilder().setStoreId("s2").setK(0).build()),
                    Status.Code.PERMISSION_DENIED);
            assertCode(() -> staff.topRisk(TopRiskRequest.newBuilder().setStoreId("s1").setK(0).build()),
                    Status.Code.INVALID_ARGUMENT);
            var analyst = anonymous.withInterceptors(AuthTestResource.as(AuthTestResource.analyst()));
            analyst.listModels(ListModelsRequest.getDefaultInstance());
            analyst.topRisk(TopRiskRequest.newBuilder().setK(3).build());
        } finally {
            channel.shutdownNow();
        }
    }

    private static void assertCode(Runnable call, Status.Code code) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(StatusRuntimeException.class,
                e -> assertThat(e.getStatus().getCode()).isEqualTo(code));
    }
}
