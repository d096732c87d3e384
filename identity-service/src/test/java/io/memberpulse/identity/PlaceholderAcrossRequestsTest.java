package io.memberpulse.identity;

import static io.memberpulse.identity.ResolveBodies.identifiers;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Instant;
import java.time.LocalDate;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A walk-in phone typed by till staff for guest after guest, each guest coming in a request of their own (as the
 * live path brings them: one REST request, one Kafka poll), the graph rebuilt from PostgreSQL in between: the other
 * strong identifiers seen with it add up across requests and rebuilds until it is quarantined
 * (max-identities-per-value 8).
 */
@QuarkusTest
class PlaceholderAcrossRequestsTest {
    static final String HEADER = "event_id,source,type,occurred_at,store_id,phone,member_no\n";

    @Inject
    Pool pool;

    @Inject
    StitchingGraph graphs;

    @Test
    void aPhoneSharedByGuestsInRequestsOfTwoIsQuarantinedOnceNineOtherIdsWereSeenWithIt() {
        String run = UUID.randomUUID().toString().substring(0, 8);
        String phone = "135" + String.format("%08d", new Random().nextInt(100_000_000));
        for (int pair = 0; pair < 5; pair++) { // guests 0 to 9, two per request
            if (pair == 2 || pair == 4) {
                graphs.invalidate(); // rebuilt from the database before the next request: what it counted must survive
            }
            given().contentType("text/csv").body(HEADER + guest(run, phone, 2 * pair) + guest(run, phone, 2 * pair + 1))
                    .post("/events/csv").then().statusCode(200).body("accepted", equalTo(2));
            assertThat(quarantined(phone)).as("after guest %d", 2 * pair + 1).isEqualTo(pair == 4);
        }
        given().spec(identifiers("phone", phone)).post("/members/resolve").then().statusCode(404);
        // from the request that found it on, the phone glues nobody: guests 8, 9 and a later one are three members
        given().contentType("text/csv").body(HEADER + guest(run, phone, 10)).post("/events/csv").then().statusCode(200)
                .body("accepted", equalTo(1));
        Set<String> members = new HashSet<>();
        for (int i = 8; i <= 10; i++) {
            members.add(given().spec(identifiers("member_no", "G%d-%s".formatted(i, run))).post("/members/resolve").then()
                    .statusCode(200).extract().path("memberId"));
        }
        assertThat(members).hasSize(3);
    }

    /**
     * Stores count within stores-window (90 days) before each event, across requests and rebuilds: a loyal member who
     * shops at a new store every two months keeps their phone after 13 stores (identifier_store keeps each store's
     * latest time, which the rebuilt graph counts by), while a walk-in phone typed at 13 stores within two weeks, one
     * request a store, is quarantined.
     */
    @Test
    void storesCountWithinTheWindowAcrossRequestsAndRebuilds() {
        String run = UUID.randomUUID().toString().substring(0, 8);
        String loyal = "136" + String.format("%08d", new Random().nextInt(100_000_000));
        String walkIn = "137" + String.format("%08d", new Random().nextInt(100_000_000));
        String header = "event_id,source,type,occurred_at,store_id,phone\n";
        for (int store = 1; store <= 13; store++) {
            if (store == 7 || store == 13) {
                graphs.invalidate(); // rebuilt from the database before the next request
            }
            LocalDate loyalDay = LocalDate.of(2023, 1, 1).plusDays(60L * store);
            given().contentType("text/csv").body(header
                    + "ly%d-%s,pos,visit,%sT10:00:00+08:00,s-ly%d-%s,%s\n".formatted(store, run, loyalDay, store, run, loyal)
                    + "ly%d-again-%s,pos,visit,%sT18:00:00+08:00,s-ly%d-%s,%s\n".formatted(store, run, loyalDay, store, run,
                            loyal)
                    + "wi%d-%s,pos,visit,2025-05-%02dT10:00:00+08:00,s-wi%d-%s,%s\n".formatted(store, run, store, store,
                            run, walkIn))
                    .post("/events/csv").then().statusCode(200).body("accepted", equalTo(3));
            assertThat(quarantined(walkIn)).as("walk-in after store %d", store).isEqualTo(store == 13);
        }
        assertThat(quarantined(loyal)).isFalse();
        given().spec(identifiers("phone", loyal)).post("/members/resolve").then().statusCode(200);
        assertThat(pool.preparedQuery("""
                SELECT last_seen FROM identifier_store WHERE type = 'phone' AND value = $1 AND store_id = $2""")
                .execute(Tuple.of("+86" + loyal, "s-ly1-" + run)).await().indefinitely().iterator().next()
                .getOffsetDateTime(0).toInstant()).as("the store's latest time")
                .isEqualTo(Instant.parse("2023-03-02T10:00:00Z"));
    }

    /** Guest i at the till: the walk-in phone and the guest's own member number, an hour after the guest before. */
    static String guest(String run, String phone, int i) {
        return "w%d-%s,pos,visit,2025-04-01T%02d:00:00+08:00,s-w-%s,%s,G%d-%s\n".formatted(i, run, 8 + i, run, phone, i, run);
    }

    boolean quarantined(String phone) {
        return pool.preparedQuery("SELECT count(*) FROM quarantined_identifier WHERE type = 'phone' AND value = $1")
                .execute(Tuple.of("+86" + phone)).await().indefinitely().iterator().next().getLong(0) == 1;
    }
}
