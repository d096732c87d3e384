package io.memberpulse.rfm.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.memberpulse.devstack.auth.DevTokens;
import io.memberpulse.devstack.testing.AuthTestResource;
import io.memberpulse.devstack.testing.OpenEndpoints;
import io.memberpulse.proto.auth.Roles;
import io.memberpulse.proto.segments.v1.GetMemberRfmRequest;
import io.memberpulse.proto.segments.v1.ListSegmentsRequest;
import io.memberpulse.proto.segments.v1.SegmentServiceGrpc;
import io.memberpulse.proto.segments.v1.StreamSegmentMembersRequest;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Everything here is head office's: analysts read RFM, profiles, segments and dashboards and define
 * segments; store staff and channel integrations have nothing here; without a valid token nothing but
 * health, metrics, OpenAPI and the insights page itself (its data needs the token).
 */
@QuarkusTest
class AccessTest {
    /** Every REST operation, with a body where it takes one (the writes name a segment that does not exist). */
    static final List<Function<RequestSpecification, Response>> ANALYST_ONLY = List.of(
            r -> r.get("/members/nobody/rfm"),
            r -> r.get("/members/nobody/profile"),
            r -> r.get("/segments"),
            r -> r.get("/segments/churn-edge/members"),
            r -> r.get("/stats"),
            r -> r.get("/dashboard/funnel"),
            r -> r.get("/dashboard/activity"),
            r -> r.get("/dashboard/repurchase"),
            r -> r.get("/dashboard/order-values"),
            r -> r.get("/dashboard/stores"),
            r -> r.get("/dashboard/regions"),
            r -> r.get("/dashboard/segments"),
            r -> r.contentType(ContentType.JSON).body("{\"rule\": \"true\"}").post("/segments/preview"),
            r -> r.contentType(ContentType.JSON).body("{\"id\": \"acc-none\", \"name\": \"x\", \"rule\": \"true\"}")
                    .put("/segments/acc-none"),
            r -> r.contentType(ContentType.JSON)
                    .body("{\"minRecencyDays\": 1, \"maxOrders30d\": 99, \"maxMonetary30d\": 99999}")
                    .put("/segments/churn-edge/thresholds"),
            r -> r.delete("/segments/acc-none"),
            r -> r.get("/stores"),
            r -> r.contentType(ContentType.JSON).body("{\"region\": \"acc-none\"}").put("/stores/acc-none"),
            r -> r.delete("/stores/acc-none"));

    ManagedChannel channel;

    @BeforeEach
    void open() {
        channel = ManagedChannelBuilder.forAddress("localhost", RestAssured.port).usePlaintext().build();
    }

    @AfterEach
    void close() {
        channel.shutdownNow();
    }

    static RequestSpecification as(String token) {
        return given().header("Authorization", token == null ? "" : "Bearer " + token);
    }

    @Test
    void withoutATokenRestAnswers401AndGrpcUnauthenticated() {
        for (var call : ANALYST_ONLY) {
            call.apply(as(null)).then().statusCode(401);
        }
        everyGrpcCallRefused(SegmentServiceGrpc.newBlockingStub(channel), Status.Code.UNAUTHENTICATED);
    }

    @Test
    void aTokenSignedByAnotherKeyIsNoToken() {
        String forged = DevTokens.generate().token("mallory", Set.of(Roles.ANALYST), null, Duration.ofHours(1));
        as(forged).get("/segments").then().statusCode(401);
        everyGrpcCallRefused(SegmentServiceGrpc.newBlockingStub(channel).withInterceptors(AuthTestResource.as(forged)),
                Status.Code.UNAUTHENTICATED);
    }

    @Test
    void aWellSignedTokenForAnotherAudienceOrIssuerOrPastItsExpiryIsNoToken() {
        AuthTestResource.wellSignedButInvalid().forEach((what, token) -> {
            assertThat(as(token).get("/segments").statusCode()).as(what).isEqualTo(401);
            everyGrpcCallRefused(SegmentServiceGrpc.newBlockingStub(channel).withInterceptors(AuthTestResource.as(token)),
                    Status.Code.UNAUTHENTICATED);
        });
    }

    @Test
    void storeStaffAndChannelIntegrationsAreRefused() {
        for (String token : List.of(AuthTestResource.staff("s1"), AuthTestResource.withRoles(Roles.INGEST),
                AuthTestResource.withRoles(Roles.STAFF, Roles.INGEST))) {
            for (var call : ANALYST_ONLY) {
                call.apply(as(token)).then().statusCode(403);
            }
            everyGrpcCallRefused(SegmentServiceGrpc.newBlockingStub(channel).withInterceptors(AuthTestResource.as(token)),
                    Status.Code.PERMISSION_DENIED);
        }
    }

    @Test
    void aRefusedDefinitionIsNotStored() {
        String segment = "acc-" + UUID.randomUUID().toString().substring(0, 8);
        String body = "{\"id\": \"" + segment + "\", \"name\": \"refused\", \"rule\": \"orders_total >= 1\"}";
        as(AuthTestResource.staff("s1")).contentType(ContentType.JSON).body(body).post("/segments").then().statusCode(403);
        as(null).contentType(ContentType.JSON).body(body).post("/segments").then().statusCode(401);
        as(AuthTestResource.withRoles(Roles.ANALYST)).get("/segments").then().statusCode(200)
                .body("id", not(hasItem(segment)));
    }

    @Test
    void anAnalystReadsOverRestAndGrpc() {
        String analyst = AuthTestResource.withRoles(Roles.ANALYST);
        as(analyst).get("/segments").then().statusCode(200).body("id", hasItem("churn-edge"));
        as(analyst).get("/dashboard/repurchase").then().statusCode(200);
        var stub = SegmentServiceGrpc.newBlockingStub(channel).withInterceptors(AuthTestResource.as(analyst));
        assertThat(stub.listSegments(ListSegmentsRequest.getDefaultInstance()).getSegmentsList())
                .anyMatch(s -> s.getSegmentId().equals("churn-edge"));
        // past the role check, the request itself is judged
        refused(() -> stub.getMemberRfm(GetMemberRfmRequest.newBuilder().setMemberId("nobody-" + UUID.randomUUID())
                .build()), Status.Code.NOT_FOUND);
    }

    @Test
    void healthMetricsOpenApiAndThePageItselfNeedNoToken() {
        // the page holds no data: it asks for the analyst's token before it calls the API
        OpenEndpoints.assertOpenWithoutToken("/insights/index.html");
    }

    static void everyGrpcCallRefused(SegmentServiceGrpc.SegmentServiceBlockingStub stub, Status.Code code) {
        refused(() -> stub.getMemberRfm(GetMemberRfmRequest.newBuilder().setMemberId("nobody").build()), code);
        refused(() -> stub.getMemberProfile(GetMemberRfmRequest.newBuilder().setMemberId("nobody").build()), code);
        refused(() -> stub.listSegments(ListSegmentsRequest.getDefaultInstance()), code);
        // a server stream fails when read
        refused(() -> stub.streamSegmentMembers(StreamSegmentMembersRequest.newBuilder().setSegmentId("churn-edge")
                .build()).hasNext(), code);
    }

    static void refused(Runnable call, Status.Code code) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(StatusRuntimeException.class,
                e -> assertThat(e.getStatus().getCode()).isEqualTo(code));
    }
}
