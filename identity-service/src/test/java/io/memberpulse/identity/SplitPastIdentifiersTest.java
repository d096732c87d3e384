package io.memberpulse.identity;

import static io.memberpulse.identity.ResolveBodies.identifiers;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import io.memberpulse.devstack.testing.AuthTestResource;
import io.memberpulse.proto.auth.Roles;
import io.quarkus.test.junit.QuarkusTest;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A split moves the past holdings of the identifiers it moves: a phone re-issued since, held in the past by the
 * person whose events a split takes off a wrongly merged member, is that person's past identifier afterwards.
 */
@QuarkusTest
class SplitPastIdentifiersTest {
    private static final String HEADER = "event_id,source,type,occurred_at,store_id,phone,member_no,openid,order_id,"
            + "quantity,paid_amount\n";

    @Test
    void aPastPhoneGoesWithThePartWhoseEventsUsedIt() {
        String run = UUID.randomUUID().toString().substring(0, 8);
        String phone = "1381" + run.chars().map(c -> '0' + c % 10).limit(7)
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append);
        post(HEADER + """
                a1-%1$s,pos,order,2025-01-05T10:00:00+08:00,s-p1,%2$s,PA-%1$s,,pa1-%1$s,1,10.00
                a2-%1$s,pos,order,2025-02-10T10:00:00+08:00,s-p1,%2$s,PA-%1$s,,pa2-%1$s,1,10.00
                c1-%1$s,pos,order,2025-01-20T10:00:00+08:00,s-p3,,,OC-%1$s,pc1-%1$s,1,8.00
                """.formatted(run, phone), 3);
        // the wrong merge: the card used with someone else's mini-program account
        post(HEADER + """
                w1-%1$s,pos,order,2025-02-15T10:00:00+08:00,s-p1,,PA-%1$s,OC-%1$s,pw1-%1$s,1,9.00
                """.formatted(run), 1);
        // the phone re-issued to somebody else
        post(HEADER + """
                b1-%1$s,pos,order,2025-08-05T10:00:00+08:00,s-p2,%2$s,PB-%1$s,,pb1-%1$s,1,12.00
                """.formatted(run, phone), 1);
        String merged = resolve("openid", "OC-" + run);
        assertThat(resolve("member_no", "PA-" + run)).isEqualTo(merged);
        assertThat(pastIdentifiers(merged)).containsExactly(past(phone, "2025-01-05T02:00:00Z", "2025-02-10T02:00:00Z"));

        String part = given().contentType("application/json")
                .body("{\"parts\": [{\"eventKeys\": [\"pos:a1-" + run + "\", \"pos:a2-" + run + "\", \"pos:w1-" + run
                        + "\"]}], \"reason\": \"the card holder used the mini-program account once\"}")
                .post("/members/" + merged + "/split").then().statusCode(200).extract().path("parts[0].memberId");

        assertThat(resolve("member_no", "PA-" + run)).isEqualTo(part);
        assertThat(resolve("openid", "OC-" + run)).isEqualTo(merged);
        assertThat(resolve("phone", phone)).isEqualTo(resolve("member_no", "PB-" + run));
        assertThat(pastIdentifiers(part)).containsExactly(past(phone, "2025-01-05T02:00:00Z", "2025-02-10T02:00:00Z"));
        assertThat(pastIdentifiers(merged)).isEmpty();

        // the graph rebuilt after the split: the card holder's March, imported late, widens their one period
        post(HEADER + """
                a3-%1$s,pos,order,2025-03-01T10:00:00+08:00,s-p1,%2$s,PA-%1$s,,pa3-%1$s,1,10.00
                """.formatted(run, phone), 1);
        assertThat(resolve("member_no", "PA-" + run)).isEqualTo(part);
        assertThat(pastIdentifiers(part)).containsExactly(past(phone, "2025-01-05T02:00:00Z", "2025-03-01T02:00:00Z"));
        assertThat(pastIdentifiers(merged)).isEmpty();
        given().get("/members/" + part).then().statusCode(200).body("eventCount", equalTo(4));
    }

    static List<Map<String, Object>> pastIdentifiers(String member) {
        // in full, as a steward's recorded reveal: masked, two phones with the same first three and last four read alike
        return given().header("Authorization", "Bearer " + AuthTestResource.withRoles(Roles.STEWARD))
                .queryParam("reveal", true).get("/members/" + member).then().statusCode(200).extract()
                .path("pastIdentifiers");
    }

    static Map<String, Object> past(String phone, String firstSeen, String lastSeen) {
        return Map.of("type", "PHONE", "value", "+86" + phone, "firstSeen", firstSeen, "lastSeen", lastSeen,
                "endedAt", lastSeen);
    }

    static void post(String csv, int accepted) {
        given().contentType("text/csv").body(csv).post("/events/csv").then().statusCode(200)
                .body("accepted", equalTo(accepted));
    }

    static String resolve(String key, String value) {
        return given().spec(identifiers(key, value)).post("/members/resolve").then().statusCode(200).extract().path("memberId");
    }
}
