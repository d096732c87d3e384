package io.memberpulse.identity.api.grpc;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.hamcrest.Matchers.equalTo;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.memberpulse.devstack.testing.AuthTestResource;
import io.memberpulse.proto.auth.Roles;
import io.memberpulse.proto.identity.v1.EraseMemberRequest;
import io.memberpulse.proto.identity.v1.Erasure;
import io.memberpulse.proto.identity.v1.GetMemberRequest;
import io.memberpulse.proto.identity.v1.Identifiers;
import io.memberpulse.proto.identity.v1.IdentityServiceGrpc;
import io.memberpulse.proto.identity.v1.ResolveRequest;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** EraseMember over gRPC: the steward's only, the reference checked, an unknown member NOT_FOUND, a repeat the same. */
@QuarkusTest
class EraseMemberGrpcTest {
    ManagedChannel channel;
    final String run = UUID.randomUUID().toString().substring(0, 8);

    @BeforeEach
    void open() {
        channel = ManagedChannelBuilder.forAddress("localhost", RestAssured.port).usePlaintext().build();
    }

    @AfterEach
    void close() {
        channel.shutdownNow();
    }

    IdentityServiceGrpc.IdentityServiceBlockingStub as(String token) {
        return IdentityServiceGrpc.newBlockingStub(channel).withInterceptors(AuthTestResource.as(token));
    }

    static Status.Code codeOf(Runnable call) {
        try {
            call.run();
        } catch (StatusRuntimeException e) {
            return e.getStatus().getCode();
        }
        throw new AssertionError("the call succeeded");
    }

    static double erasures() {
        return given().get("/q/metrics").then().statusCode(200).extract().asString().lines()
                .filter(line -> line.startsWith("memberpulse_identity_erasures_total"))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).sum();
    }

    @Test
    void onlyAStewardErasesWithAReferenceAndAnUnknownMemberIsNotFound() {
        given().contentType(ContentType.JSON).body("""
                {"event_id": "eg1-%1$s", "source": "pos", "type": "visit", "occurred_at": "2025-03-01T10:00:00+08:00",
                 "store_id": "s-eg", "member_no": "EG-%1$s"}""".formatted(run)).post("/events").then().statusCode(200)
                .body("accepted", equalTo(1));
        var steward = as(AuthTestResource.withRoles(Roles.STEWARD));
        var analyst = as(AuthTestResource.analyst());
        String member = analyst.resolve(ResolveRequest.newBuilder()
                .setIdentifiers(Identifiers.newBuilder().setMemberNo("EG-" + run)).build()).getMemberId();
        EraseMemberRequest request = EraseMemberRequest.newBuilder().setMemberId(member).setReference("DSR-" + run).build();

        assertThat(codeOf(() -> analyst.eraseMember(request))).isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(codeOf(() -> as(AuthTestResource.staff("s-eg")).eraseMember(request)))
                .isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThatThrownBy(() -> steward.eraseMember(request.toBuilder().clearReference().build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                    assertThat(e.getStatus().getDescription()).contains("reference");
                });
        assertThat(codeOf(() -> steward.eraseMember(request.toBuilder().setReference("a\u0007b").build())))
                .isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(codeOf(() -> steward.eraseMember(request.toBuilder().setReference("x".repeat(201)).build())))
                .isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(codeOf(() -> steward.eraseMember(request.toBuilder().setMemberId("nobody-" + run).build())))
                .isEqualTo(Status.Code.NOT_FOUND);
        assertThat(analyst.getMember(GetMemberRequest.newBuilder().setMemberId(member).build()).getMemberId())
                .isEqualTo(member);

        double erasures = erasures();
        Erasure erasure = steward.eraseMember(request);
        assertThat(erasures() - erasures).as("memberpulse_identity_erasures_total").isEqualTo(1);
        assertThat(erasure.getMemberId()).isEqualTo(member);
        assertThat(erasure.getAbsorbedMemberIdsList()).isEmpty();
        assertThat(erasure.getReference()).isEqualTo("DSR-" + run);
        assertThat(erasure.getRequestedBy()).isEqualTo("caller@memberpulse.test");
        assertThat(erasure.getErasureId()).isNotBlank();
        assertThat(erasure.getErasedAt().getSeconds()).isPositive();
        assertThat(steward.eraseMember(request)).isEqualTo(erasure);
        assertThat(erasures() - erasures).as("a repeat is not another erasure").isEqualTo(1);
        assertThat(codeOf(() -> analyst.getMember(GetMemberRequest.newBuilder().setMemberId(member).build())))
                .isEqualTo(Status.Code.NOT_FOUND);
        assertThat(codeOf(() -> analyst.getEvidence(GetMemberRequest.newBuilder().setMemberId(member).build())))
                .isEqualTo(Status.Code.NOT_FOUND);
        assertThat(analyst.resolve(ResolveRequest.newBuilder()
                .setIdentifiers(Identifiers.newBuilder().setMemberNo("EG-" + run)).build()).getFound()).isFalse();
    }
}
