package io.memberpulse.identity.api.rest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.not;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.memberpulse.devstack.testing.AuthTestResource;
import io.memberpulse.proto.auth.Roles;
import io.memberpulse.proto.identity.v1.GetMemberRequest;
import io.memberpulse.proto.identity.v1.Identifier;
import io.memberpulse.proto.identity.v1.IdentityServiceGrpc;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * An analyst reads members' identifiers masked, REST and gRPC alike; only a steward sees them in full, by asking for
 * it, and each such reveal is recorded (member_reveal). Identifiers never travel in a URL's query string.
 */
@QuarkusTest
class IdentifierRevealTest {
    static final String STEWARD = AuthTestResource.withRoles(Roles.STEWARD);

    @Inject
    Pool pool;

    final String run = UUID.randomUUID().toString().substring(0, 8);
    final String phone = "138" + String.format("%08d", new Random().nextInt(100_000_000));
    final String openid = "o6_bmjrPTlm6_2sgVt7hMZ" + run;
    final String email = "alice." + run + "@example.com";

    /** A member with a member number, phone, e-mail and, merged in from a second member, an openid. */
    String member() {
        post("""
                {"event_id": "r1-%1$s", "source": "pos", "type": "visit", "occurred_at": "2025-03-01T10:00:00+08:00",
                 "store_id": "s-rv", "member_no": "RV-%1$s", "phone": "%2$s", "email": "%3$s"}""".formatted(run, phone, email));
        post("""
                {"event_id": "r2-%1$s", "source": "miniapp", "type": "visit", "occurred_at": "2025-03-02T10:00:00+08:00",
                 "store_id": "s-rv", "openid": "%2$s"}""".formatted(run, openid));
        post("""
                {"event_id": "r3-%1$s", "source": "pos", "type": "visit", "occurred_at": "2025-03-03T10:00:00+08:00",
                 "store_id": "s-rv", "member_no": "RV-%1$s", "openid": "%2$s"}""".formatted(run, openid));
        return given().contentType(ContentType.JSON).body("{\"member_no\": \"RV-" + run + "\"}").post("/members/resolve")
                .then().statusCode(200).extract().path("memberId");
    }

    static void post(String json) {
        given().contentType(ContentType.JSON).body(json).post("/events").then().statusCode(200).body("accepted", equalTo(1));
    }

    /** memberpulse_identity_reveals_total of this view, 0 before the first. */
    static double revealsCounted(String shown) {
        return given().get("/q/metrics").then().statusCode(200).extract().asString().lines()
                .filter(line -> line.startsWith("memberpulse_identity_reveals_total{") && line.contains("shown=\"" + shown + "\""))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).sum();
    }

    @Test
    void anAnalystReadsAMembersIdentifiersAndEvidenceMasked() {
        String member = member();
        String maskedOpenid = "o6_****" + run.substring(5);
        given().get("/members/" + member).then().statusCode(200)
                .body("identifiers.value", hasItems("RV-" + run, "+86 " + phone.substring(0, 3) + "****"
                        + phone.substring(7), "a***@example.com", maskedOpenid))
                .body("identifiers.value", not(hasItem("+86" + phone)))
                .body("identifiers.value", not(hasItem(email)))
                .body("identifiers.value", not(hasItem(openid)));
        given().get("/members/" + member + "/evidence").then().statusCode(200)
                .body("merges[0].identifiers", hasItem("openid:" + maskedOpenid))
                .body("merges[0].identifiers", not(hasItem("openid:" + openid)));
        assertThat(reveals(member)).isZero();
    }

    @Test
    void anAnalystWithoutTheStewardRoleMayNotRevealAndNothingIsRecorded() {
        String member = member();
        given().queryParam("reveal", true).get("/members/" + member).then().statusCode(403);
        given().queryParam("reveal", true).get("/members/" + member + "/evidence").then().statusCode(403);
        assertThat(reveals(member)).isZero();
    }

    @Test
    void aStewardSeesTheIdentifiersInFullOnlyByAskingAndEachRevealIsRecordedAndNeverCached() {
        String member = member();
        double memberReveals = revealsCounted("member");
        double evidenceReveals = revealsCounted("evidence");
        // a steward reads masked too, unless they ask
        given().header("Authorization", "Bearer " + STEWARD).get("/members/" + member).then().statusCode(200)
                .body("identifiers.value", not(hasItem("+86" + phone)));
        assertThat(reveals(member)).isZero();

        given().header("Authorization", "Bearer " + STEWARD).queryParam("reveal", true).get("/members/" + member)
                .then().statusCode(200).header("Cache-Control", "no-store")
                .body("identifiers.value", hasItems("RV-" + run, "+86" + phone, email, openid));
        given().header("Authorization", "Bearer " + STEWARD).queryParam("reveal", true)
                .get("/members/" + member + "/evidence").then().statusCode(200).header("Cache-Control", "no-store")
                .body("merges[0].identifiers", hasItem("openid:" + openid));
        assertThat(reveals(member)).isEqualTo(2);
        // counted as well (memberpulse_identity_reveals_total{shown}), for an alert on a steward reading the directory
        assertThat(revealsCounted("member") - memberReveals).isEqualTo(1);
        assertThat(revealsCounted("evidence") - evidenceReveals).isEqualTo(1);
        var row = pool.preparedQuery("SELECT caller, shown, revealed_at FROM member_reveal WHERE member_id = $1 ORDER BY id")
                .execute(Tuple.of(member)).await().indefinitely().iterator().next();
        assertThat(row.getString(0)).isEqualTo("caller@memberpulse.test");
        assertThat(row.getString(1)).isEqualTo("member");
        assertThat(row.getOffsetDateTime(2)).isNotNull();

        // an unknown member reveals nothing and records nothing
        given().header("Authorization", "Bearer " + STEWARD).queryParam("reveal", true).get("/members/nobody-" + run)
                .then().statusCode(404);
        assertThat(reveals("nobody-" + run)).isZero();
    }

    @Test
    void overGrpcTheMemberIsMaskedAndARevealNeedsTheStewardRole() {
        String member = member();
        ManagedChannel channel = ManagedChannelBuilder.forAddress("localhost", RestAssured.port).usePlaintext().build();
        try {
            var analyst = IdentityServiceGrpc.newBlockingStub(channel)
                    .withInterceptors(AuthTestResource.as(AuthTestResource.analyst()));
            var steward = IdentityServiceGrpc.newBlockingStub(channel).withInterceptors(AuthTestResource.as(STEWARD));
            GetMemberRequest plain = GetMemberRequest.newBuilder().setMemberId(member).build();
            GetMemberRequest reveal = plain.toBuilder().setReveal(true).build();

            assertThat(analyst.getMember(plain).getIdentifiersList()).extracting(Identifier::getValue)
                    .contains("RV-" + run, "a***@example.com").doesNotContain("+86" + phone, email, openid);
            assertThat(analyst.getEvidence(plain).getEvidence(0).getIdentifiersList()).doesNotContain("openid:" + openid);
            for (var call : java.util.List.<Runnable>of(() -> analyst.getMember(reveal), () -> analyst.getEvidence(reveal))) {
                assertThatThrownBy(call::run).isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED));
            }
            assertThat(reveals(member)).isZero();

            assertThat(steward.getMember(reveal).getIdentifiersList()).extracting(Identifier::getValue)
                    .contains("+86" + phone, email, openid);
            assertThat(steward.getEvidence(reveal).getEvidence(0).getIdentifiersList()).contains("openid:" + openid);
            assertThat(reveals(member)).isEqualTo(2);
        } finally {
            channel.shutdownNow();
        }
    }

    /** Gateways and ingress controllers log URLs: a phone or e-mail there would be kept wherever they keep logs. */
    @Test
    void identifiersInTheQueryStringAreRefusedNamingTheFieldAndThePost() {
        given().queryParam("phone", "+86" + phone).get("/members/resolve").then().statusCode(400)
                .contentType("application/problem+json")
                .body("errors[0].field", equalTo("phone"))
                .body("errors[0].reason", equalTo("identifiers are not accepted in the query string; "
                        + "POST /members/resolve with them in a JSON body"))
                .body("detail", not(org.hamcrest.Matchers.containsString(phone)));
        given().queryParam("member_no", "RV-" + run).get("/members/resolve").then().statusCode(400)
                .body("errors[0].field", equalTo("member_no"));
        given().get("/members/resolve").then().statusCode(400).body("errors[0].field", equalTo("identifiers"));
    }

    long reveals(String member) {
        return pool.preparedQuery("SELECT count(*) FROM member_reveal WHERE member_id = $1").execute(Tuple.of(member))
                .await().indefinitely().iterator().next().getLong(0);
    }
}
