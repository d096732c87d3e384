package io.memberpulse.identity;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import io.memberpulse.devstack.testing.AuthTestResource;
import io.memberpulse.proto.auth.Roles;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * An erasure is done in the live graph, not by a rebuild of it (on a large tenant ~100 s of the writer's time for one
 * request): the graph stays the one loaded, and the erased phone seen again still makes somebody new.
 */
@QuarkusTest
class ErasureKeepsGraphTest {
    @Inject
    StitchingGraph graphs;

    long loadedGraph() {
        synchronized (graphs) {
            graphs.graph();
            return graphs.generation();
        }
    }

    String resolvePhone(String phone) {
        return given().spec(ResolveBodies.identifiers("phone", phone)).post("/members/resolve").then().statusCode(200).extract().path("memberId");
    }

    @Test
    void anErasureKeepsTheGraphAndTheErasedPhoneMakesSomebodyNew() {
        String run = UUID.randomUUID().toString().substring(0, 8);
        String phone = "137" + String.format("%08d", new Random().nextInt(100_000_000));
        given().contentType("text/csv").body("""
                event_id,source,type,occurred_at,store_id,phone,member_no
                ek1-%1$s,pos,visit,2025-05-01T10:00:00+08:00,s-ek,%2$s,EK-%1$s
                """.formatted(run, phone)).post("/events/csv").then().statusCode(200).body("accepted", equalTo(1));
        String member = resolvePhone(phone);
        long loaded = loadedGraph();

        given().header("Authorization", "Bearer " + AuthTestResource.withRoles(Roles.STEWARD))
                .contentType(ContentType.JSON).body("{\"reference\": \"DSR-EK-" + run + "\"}")
                .post("/members/" + member + "/erasure").then().statusCode(200);
        given().contentType("text/csv").body("""
                event_id,source,type,occurred_at,store_id,phone
                ek2-%1$s,pos,visit,2025-05-02T10:00:00+08:00,s-ek,%2$s
                """.formatted(run, phone)).post("/events/csv").then().statusCode(200).body("accepted", equalTo(1));

        assertThat(loadedGraph()).as("the graph's load after the erasure").isEqualTo(loaded);
        assertThat(resolvePhone(phone)).isNotNull().isNotEqualTo(member);
    }
}
