package io.memberpulse.identity.api;

import static io.memberpulse.identity.ResolveBodies.identifiers;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.hamcrest.Matchers.equalTo;

import com.google.protobuf.Timestamp;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.memberpulse.devstack.auth.DevTokens;
import io.memberpulse.devstack.testing.AuthTestResource;
import io.memberpulse.devstack.testing.OpenEndpoints;
import io.memberpulse.proto.auth.Roles;
import io.memberpulse.identity.api.grpc.StreamedImport;
import io.memberpulse.proto.identity.v1.ChannelEvent;
import io.memberpulse.proto.identity.v1.EventType;
import io.memberpulse.proto.identity.v1.GetMemberRequest;
import io.memberpulse.proto.identity.v1.Identifiers;
import io.memberpulse.proto.identity.v1.IdentityServiceGrpc;
import io.memberpulse.proto.identity.v1.ImportSummary;
import io.memberpulse.proto.identity.v1.OrderLine;
import io.memberpulse.proto.identity.v1.ResolveRequest;
import io.memberpulse.proto.identity.v1.Source;
import io.memberpulse.proto.identity.v1.SplitMemberRequest;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Who may call what: channel integrations (ingest) send events and read nothing; analysts read and change
 * members; stewards resolve and read members, in full on asking; store staff have nothing here; without a valid
 * token nothing but health, metrics and OpenAPI.
 */
@QuarkusTest
class AccessTest {
    /** Every REST operation that reads or changes members, with a body where it takes one. */
    static final List<Function<RequestSpecification, io.restassured.response.Response>> ANALYST_ONLY = List.of(
            r -> r.get("/members/nobody"),
            r -> r.spec(identifiers("member_no", "nobody")).post("/members/resolve"),
            r -> r.get("/members/nobody/evidence"),
            r -> r.contentType(ContentType.JSON).body("{\"parts\": [{\"eventKeys\": [\"pos:x\"]}]}")
                    .post("/members/nobody/split"),
            r -> r.get("/stats"),
            r -> r.get("/health/identity"),
            r -> r.get("/health/identity/stores"),
            r -> r.get("/identities/export"),
            r -> r.get("/orders/duplicates/export"),
            r -> r.get("/orders/pos/nothing/attribution"),
            r -> r.get("/attribution/campaigns"));

    ManagedChannel channel;

    @BeforeEach
    void open() {
        channel = ManagedChannelBuilder.forAddress("localhost", RestAssured.port).usePlaintext().build();
    }

    @AfterEach
    void close() {
        channel.shutdownNow();
    }

    static String orderJson(String eventId, String memberNo) {
        return """
                {"event_id": "%s", "source": "pos", "type": "order", "occurred_at": "2024-03-01T10:15:00+08:00",
                 "store_id": "s-acc", "member_no": "%s", "order_id": "o-%s", "quantity": 1, "paid_amount": 9.5}"""
                .formatted(eventId, memberNo, eventId);
    }

    static ChannelEvent order(String eventId, String memberNo) {
        return ChannelEvent.newBuilder().setEventId(eventId).setSource(Source.SOURCE_MINIAPP)
                .setType(EventType.EVENT_TYPE_ORDER).setOccurredAt(Timestamp.newBuilder().setSeconds(1_710_000_000))
                .setStoreId("s-acc").setIdentifiers(Identifiers.newBuilder().setMemberNo(memberNo))
                .setLine(OrderLine.newBuilder().setOrderId("o-" + eventId).setQuantity(1).setPaidAmount(7)).build();
    }

    static RequestSpecification as(String token) {
        return given().header("Authorization", token == null ? "" : "Bearer " + token);
    }

    @Test
    void withoutATokenRestAnswers401AndGrpcUnauthenticated() throws Exception {
        for (var call : ANALYST_ONLY) {
            call.apply(as(null)).then().statusCode(401);
        }
        as(null).contentType(ContentType.JSON).body(orderJson("na-" + UUID.randomUUID(), "NA")).post("/events")
                .then().statusCode(401);
        as(null).contentType("text/csv").body("event_id,source,type,occurred_at\n").post("/events/csv")
                .then().statusCode(401);

        var stub = IdentityServiceGrpc.newBlockingStub(channel);
        refused(() -> stub.resolve(resolveByMemberNo("nobody")), Status.Code.UNAUTHENTICATED);
        refused(() -> stub.getMember(GetMemberRequest.newBuilder().setMemberId("nobody").build()), Status.Code.UNAUTHENTICATED);
        assertThat(importFailure(null)).isEqualTo(Status.Code.UNAUTHENTICATED);
    }

    @Test
    void aTokenSignedByAnotherKeyIsNoToken() throws Exception {
        String forged = DevTokens.generate().token("mallory", Set.of(Roles.ANALYST, Roles.INGEST), null,
                Duration.ofHours(1));
        as(forged).get("/stats").then().statusCode(401);
        as(forged).contentType(ContentType.JSON).body(orderJson("f-" + UUID.randomUUID(), "F")).post("/events")
                .then().statusCode(401);
        refused(() -> IdentityServiceGrpc.newBlockingStub(channel).withInterceptors(AuthTestResource.as(forged))
                .resolve(resolveByMemberNo("nobody")), Status.Code.UNAUTHENTICATED);
        assertThat(importFailure(forged)).isEqualTo(Status.Code.UNAUTHENTICATED);
    }

    @Test
    void aWellSignedTokenForAnotherAudienceOrIssuerOrPastItsExpiryIsNoToken() {
        AuthTestResource.wellSignedButInvalid().forEach((what, token) -> {
            assertThat(as(token).get("/stats").statusCode()).as(what).isEqualTo(401);
            refused(() -> IdentityServiceGrpc.newBlockingStub(channel).withInterceptors(AuthTestResource.as(token))
                    .resolve(resolveByMemberNo("nobody")), Status.Code.UNAUTHENTICATED);
        });
    }

    @Test
    void anIngestTokenSendsEventsButReadsNothing() throws Exception {
        String ingest = AuthTestResource.withRoles(Roles.INGEST);
        String memberNo = "ACC-" + UUID.randomUUID();
        as(ingest).contentType(ContentType.JSON).body(orderJson("i1-" + memberNo, memberNo)).post("/events")
                .then().statusCode(200).body("accepted", equalTo(1));
        as(ingest).contentType("text/csv").body("""
                event_id,source,type,occurred_at,store_id,member_no,order_id,quantity,paid_amount
                i2-%1$s,pos,order,2024-03-02T10:00:00+08:00,s-acc,%1$s,o-i2,1,5.00
                """.formatted(memberNo)).post("/events/csv").then().statusCode(200).body("accepted", equalTo(1));
        assertThat(importWith(ingest, order("i3-" + memberNo, memberNo)).getAccepted()).isEqualTo(1);

        for (var call : ANALYST_ONLY) {
            call.apply(as(ingest)).then().statusCode(403);
        }
        var stub = IdentityServiceGrpc.newBlockingStub(channel).withInterceptors(AuthTestResource.as(ingest));
        refused(() -> stub.resolve(resolveByMemberNo(memberNo)), Status.Code.PERMISSION_DENIED);
        refused(() -> stub.getMember(GetMemberRequest.newBuilder().setMemberId("nobody").build()),
                Status.Code.PERMISSION_DENIED);
        refused(() -> stub.getEvidence(GetMemberRequest.newBuilder().setMemberId("nobody").build()),
                Status.Code.PERMISSION_DENIED);
        refused(() -> stub.splitMember(SplitMemberRequest.newBuilder().setMemberId("nobody").build()),
                Status.Code.PERMISSION_DENIED);

        // what the integration sent is there for the analysts, as one member
        String analyst = AuthTestResource.withRoles(Roles.ANALYST);
        String memberId = as(analyst).spec(identifiers("member_no", memberNo)).post("/members/resolve").then().statusCode(200)
                .extract().path("memberId");
        as(analyst).get("/members/" + memberId).then().statusCode(200).body("eventCount", equalTo(3));
        assertThat(IdentityServiceGrpc.newBlockingStub(channel).withInterceptors(AuthTestResource.as(analyst))
                .resolve(resolveByMemberNo(memberNo)).getMemberId()).isEqualTo(memberId);
    }

    @Test
    void anAnalystAloneMayAlsoImport() throws Exception {
        String analyst = AuthTestResource.withRoles(Roles.ANALYST);
        String memberNo = "ACA-" + UUID.randomUUID();
        as(analyst).contentType(ContentType.JSON).body(orderJson("a1-" + memberNo, memberNo)).post("/events")
                .then().statusCode(200).body("accepted", equalTo(1));
        assertThat(importWith(analyst, order("a2-" + memberNo, memberNo)).getAccepted()).isEqualTo(1);
        as(analyst).get("/stats").then().statusCode(200);
    }

    /** A steward resolves members and reads them (in full on asking: IdentifierRevealTest), and nothing else. */
    @Test
    void aStewardReadsMembersAndNothingElse() throws Exception {
        String steward = AuthTestResource.withRoles(Roles.STEWARD);
        as(steward).spec(identifiers("member_no", "nobody")).post("/members/resolve").then().statusCode(404);
        as(steward).get("/members/nobody").then().statusCode(404);
        as(steward).queryParam("reveal", true).get("/members/nobody/evidence").then().statusCode(404);
        as(steward).contentType(ContentType.JSON).body("{\"parts\": [{\"eventKeys\": [\"pos:x\"]}]}")
                .post("/members/nobody/split").then().statusCode(403);
        for (String path : List.of("/stats", "/identities/export", "/health/identity", "/attribution/campaigns")) {
            as(steward).get(path).then().statusCode(403);
        }
        as(steward).contentType(ContentType.JSON).body(orderJson("st-" + UUID.randomUUID(), "ST")).post("/events")
                .then().statusCode(403);
        var stub = IdentityServiceGrpc.newBlockingStub(channel).withInterceptors(AuthTestResource.as(steward));
        assertThat(stub.resolve(resolveByMemberNo("nobody")).getFound()).isFalse();
        refused(() -> stub.getMember(GetMemberRequest.newBuilder().setMemberId("nobody").setReveal(true).build()),
                Status.Code.NOT_FOUND);
        refused(() -> stub.splitMember(SplitMemberRequest.newBuilder().setMemberId("nobody").build()),
                Status.Code.PERMISSION_DENIED);
        assertThat(importFailure(steward)).isEqualTo(Status.Code.PERMISSION_DENIED);
    }

    @Test
    void storeStaffHaveNothingHere() throws Exception {
        String staff = AuthTestResource.staff("s1");
        for (var call : ANALYST_ONLY) {
            call.apply(as(staff)).then().statusCode(403);
        }
        as(staff).contentType(ContentType.JSON).body(orderJson("s-" + UUID.randomUUID(), "S")).post("/events")
                .then().statusCode(403);
        var stub = IdentityServiceGrpc.newBlockingStub(channel).withInterceptors(AuthTestResource.as(staff));
        refused(() -> stub.resolve(resolveByMemberNo("nobody")), Status.Code.PERMISSION_DENIED);
        assertThat(importFailure(staff)).isEqualTo(Status.Code.PERMISSION_DENIED);
    }

    @Test
    void healthMetricsAndOpenApiNeedNoToken() {
        OpenEndpoints.assertOpenWithoutToken();
    }

    static ResolveRequest resolveByMemberNo(String memberNo) {
        return ResolveRequest.newBuilder().setIdentifiers(Identifiers.newBuilder().setMemberNo(memberNo)).build();
    }

    static void refused(Runnable call, Status.Code code) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(StatusRuntimeException.class,
                e -> assertThat(e.getStatus().getCode()).isEqualTo(code));
    }

    /** The streamed import of one event with the token (null: none). */
    ImportSummary importWith(String token, ChannelEvent event) throws Exception {
        var stub = IdentityServiceGrpc.newStub(channel);
        if (token != null) {
            stub = stub.withInterceptors(AuthTestResource.as(token));
        }
        return StreamedImport.upload(stub, List.of(event), 30);
    }

    /** How the streamed import of one event is refused with the token (null: none); the event is not taken. */
    Status.Code importFailure(String token) throws Exception {
        String memberNo = "REF-" + UUID.randomUUID();
        Status.Code code;
        try {
            ImportSummary accepted = importWith(token, order("r-" + memberNo, memberNo));
            throw new AssertionError("the import was taken: " + accepted);
        } catch (ExecutionException e) {
            assertThat(e.getCause()).isInstanceOf(StatusRuntimeException.class);
            code = ((StatusRuntimeException) e.getCause()).getStatus().getCode();
        }
        given().spec(identifiers("member_no", memberNo)).post("/members/resolve").then().statusCode(404);
        return code;
    }
}
