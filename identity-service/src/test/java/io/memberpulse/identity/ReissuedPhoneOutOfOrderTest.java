package io.memberpulse.identity;

import static io.memberpulse.identity.ResolveBodies.identifiers;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import io.memberpulse.devstack.testing.AuthTestResource;
import io.memberpulse.proto.auth.Roles;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A re-issued phone whose holders' events are imported out of time order: the old holder's (before the re-issue)
 * after the new holder's, as an old till export imported late. Each event goes to the holder of the phone at its
 * time; the two people stay two and the phone stays with its new holder, and is the old holder's past identifier for
 * the time they used it, as had the events come in time order.
 */
@QuarkusTest
class ReissuedPhoneOutOfOrderTest {
    private static final String HEADER = "event_id,source,type,occurred_at,store_id,phone,member_no,order_id,quantity,"
            + "paid_amount\n";

    @Inject
    StitchingGraph graphs;

    @Test
    void theOldHoldersEventsImportedAfterTheReissueStayWithTheOldHolder() {
        String run = run();
        String phone = phone(run, "1361");
        post(HEADER + """
                a1-%1$s,pos,order,2025-01-05T10:00:00+08:00,s-o1,%2$s,OA-%1$s,oa1-%1$s,1,10.00
                """.formatted(run, phone), 1);
        post(HEADER + """
                b1-%1$s,pos,order,2025-08-05T10:00:00+08:00,s-o2,%2$s,OB-%1$s,ob1-%1$s,1,12.00
                """.formatted(run, phone), 1);
        // the old till's export for February, imported after the new holder's August
        post(HEADER + """
                a2-%1$s,pos,order,2025-02-10T10:00:00+08:00,s-o1,%2$s,OA-%1$s,oa2-%1$s,1,10.00
                """.formatted(run, phone), 1);

        String oldHolder = resolve("member_no", "OA-" + run);
        String newHolder = resolve("member_no", "OB-" + run);
        assertThat(newHolder).isNotEqualTo(oldHolder);
        assertThat(resolve("phone", phone)).isEqualTo(newHolder);
        given().get("/members/" + oldHolder).then().statusCode(200).body("eventCount", equalTo(2));
        given().get("/members/" + newHolder).then().statusCode(200).body("eventCount", equalTo(1));
    }

    @Test
    void theOldHoldersEventsImportedAfterTheNewHoldersAreANewMemberNotTheNewHolder() {
        String run = run();
        String phone = phone(run, "1362");
        post(HEADER + """
                b1-%1$s,pos,order,2025-08-05T10:00:00+08:00,s-n2,%2$s,NB-%1$s,nb1-%1$s,1,12.00
                b2-%1$s,pos,order,2025-09-01T10:00:00+08:00,s-n2,%2$s,,nb2-%1$s,1,9.00
                """.formatted(run, phone), 2);
        // the old holder's year, imported afterwards; and one of the new holder's own, from just before
        post(HEADER + """
                a1-%1$s,pos,order,2025-01-05T10:00:00+08:00,s-n1,%2$s,NA-%1$s,na1-%1$s,1,10.00
                a2-%1$s,pos,order,2025-02-10T10:00:00+08:00,s-n1,%2$s,NA-%1$s,na2-%1$s,1,10.00
                b0-%1$s,pos,order,2025-07-20T10:00:00+08:00,s-n2,%2$s,NB-%1$s,nb0-%1$s,1,11.00
                """.formatted(run, phone), 3);

        String oldHolder = resolve("member_no", "NA-" + run);
        String newHolder = resolve("member_no", "NB-" + run);
        assertThat(newHolder).isNotEqualTo(oldHolder);
        assertThat(resolve("phone", phone)).isEqualTo(newHolder);
        given().get("/members/" + oldHolder).then().statusCode(200).body("eventCount", equalTo(2));
        given().get("/members/" + newHolder).then().statusCode(200).body("eventCount", equalTo(3));
    }

    /** A graph rebuilt from PostgreSQL knows when the new holder first used the phone (member_identifier.first_seen). */
    @Test
    void theOldHoldersEventsImportedAfterARebuildStayWithTheOldHolder() {
        String run = run();
        String phone = phone(run, "1363");
        post(HEADER + """
                a1-%1$s,pos,order,2025-01-05T10:00:00+08:00,s-g1,%2$s,GA-%1$s,ga1-%1$s,1,10.00
                """.formatted(run, phone), 1);
        post(HEADER + """
                b1-%1$s,pos,order,2025-08-05T10:00:00+08:00,s-g2,%2$s,GB-%1$s,gb1-%1$s,1,12.00
                """.formatted(run, phone), 1);
        graphs.invalidate(); // what a split does; the next import loads the graph from the database

        post(HEADER + """
                a2-%1$s,pos,order,2025-02-10T10:00:00+08:00,s-g1,%2$s,GA-%1$s,ga2-%1$s,1,10.00
                """.formatted(run, phone), 1);

        assertSeparate(run, "G", phone);
        // the old holder used it until February, as had February's export come in time
        assertThat(pastIdentifiers(resolve("member_no", "GA-" + run))).containsExactly(
                past(phone, "2025-01-05T02:00:00Z", "2025-02-10T02:00:00Z"));
    }

    /**
     * An old holder known only from events imported after the new holder's has the phone among their past identifiers,
     * with the dates it has when the imports come in time order: first and last use, ended at the last use.
     */
    @Test
    void anOldHolderFirstSeenThroughALateImportHeldThePhoneAsInTimeOrder() {
        String run = run();
        String inTime = phone(run, "1365");
        post(HEADER + """
                a1-%1$s,pos,order,2025-01-05T10:00:00+08:00,s-t1,%2$s,TA-%1$s,ta1-%1$s,1,10.00
                a2-%1$s,pos,order,2025-02-10T10:00:00+08:00,s-t1,%2$s,TA-%1$s,ta2-%1$s,1,10.00
                """.formatted(run, inTime), 2);
        post(HEADER + """
                b1-%1$s,pos,order,2025-08-05T10:00:00+08:00,s-t2,%2$s,TB-%1$s,tb1-%1$s,1,12.00
                """.formatted(run, inTime), 1);
        String late = phone(run, "1366");
        post(HEADER + """
                d1-%1$s,pos,order,2025-08-05T10:00:00+08:00,s-l2,%2$s,LB-%1$s,lb1-%1$s,1,12.00
                """.formatted(run, late), 1);
        post(HEADER + """
                c1-%1$s,pos,order,2025-01-05T10:00:00+08:00,s-l1,%2$s,LA-%1$s,la1-%1$s,1,10.00
                c2-%1$s,pos,order,2025-02-10T10:00:00+08:00,s-l1,%2$s,LA-%1$s,la2-%1$s,1,10.00
                """.formatted(run, late), 2);

        assertSeparate(run, "L", late);
        assertThat(pastIdentifiers(resolve("member_no", "TA-" + run))).containsExactly(
                past(inTime, "2025-01-05T02:00:00Z", "2025-02-10T02:00:00Z"));
        assertThat(pastIdentifiers(resolve("member_no", "LA-" + run))).containsExactly(
                past(late, "2025-01-05T02:00:00Z", "2025-02-10T02:00:00Z"));
        assertThat(pastIdentifiers(resolve("member_no", "LB-" + run))).isEmpty();
    }

    /** The old holder's late events in two imports with a graph rebuilt between them: one holding period, widened. */
    @Test
    void anOldHoldersLateImportsAcrossARebuildWidenOnePastHolding() {
        String run = run();
        String phone = phone(run, "1367");
        post(HEADER + """
                b1-%1$s,pos,order,2025-08-05T10:00:00+08:00,s-r2,%2$s,RB-%1$s,rb1-%1$s,1,12.00
                """.formatted(run, phone), 1);
        post(HEADER + """
                a2-%1$s,pos,order,2025-02-10T10:00:00+08:00,s-r1,%2$s,RA-%1$s,ra2-%1$s,1,10.00
                """.formatted(run, phone), 1);
        graphs.invalidate();
        post(HEADER + """
                a1-%1$s,pos,order,2025-01-05T10:00:00+08:00,s-r1,%2$s,RA-%1$s,ra1-%1$s,1,10.00
                """.formatted(run, phone), 1);

        assertSeparate(run, "R", phone);
        assertThat(pastIdentifiers(resolve("member_no", "RA-" + run))).containsExactly(
                past(phone, "2025-01-05T02:00:00Z", "2025-02-10T02:00:00Z"));
        inFull().get("/members/" + resolve("member_no", "RB-" + run)).then().statusCode(200)
                .body("identifiers.find { it.value == '+86" + phone + "' }.firstSeen", equalTo("2025-08-05T02:00:00Z"));
    }

    /**
     * A phone re-issued within one batch: its new holding starts at the new holder's first use, not at the old
     * holder's (the batch's window of the phone was written as the new holder's first_seen), so that a rebuilt graph
     * tells the old holder's events imported late from the new holder's.
     */
    @Test
    void aPhoneReissuedWithinOneBatchIsHeldFromTheNewHoldersFirstUse() {
        String run = run();
        String phone = phone(run, "1364");
        post(HEADER + """
                a1-%1$s,pos,order,2025-01-05T10:00:00+08:00,s-w1,%2$s,WA-%1$s,wa1-%1$s,1,10.00
                b1-%1$s,pos,order,2025-08-05T10:00:00+08:00,s-w2,%2$s,WB-%1$s,wb1-%1$s,1,12.00
                """.formatted(run, phone), 2);
        inFull().get("/members/" + resolve("member_no", "WB-" + run)).then().statusCode(200)
                .body("identifiers.find { it.value == '+86" + phone + "' }.firstSeen", equalTo("2025-08-05T02:00:00Z"));
        graphs.invalidate();

        post(HEADER + """
                a2-%1$s,pos,order,2025-02-10T10:00:00+08:00,s-w1,%2$s,WA-%1$s,wa2-%1$s,1,10.00
                """.formatted(run, phone), 1);

        assertSeparate(run, "W", phone);
    }

    /**
     * A phone re-issued within one batch is its old holder's past identifier, from their first use to their last, as
     * when the move comes in a later batch; and the old holder's uses in the batch of the move count to their period.
     */
    @Test
    void aPhoneReissuedWithinOneBatchIsItsOldHoldersPastIdentifier() {
        String run = run();
        String oneBatch = phone(run, "1368");
        post(HEADER + """
                a1-%1$s,pos,order,2025-01-05T10:00:00+08:00,s-i1,%2$s,IA-%1$s,ia1-%1$s,1,10.00
                a2-%1$s,pos,order,2025-02-10T10:00:00+08:00,s-i1,%2$s,IA-%1$s,ia2-%1$s,1,10.00
                b1-%1$s,pos,order,2025-08-05T10:00:00+08:00,s-i2,%2$s,IB-%1$s,ib1-%1$s,1,12.00
                """.formatted(run, oneBatch), 3);
        String twoBatches = phone(run, "1369");
        post(HEADER + """
                c1-%1$s,pos,order,2025-01-05T10:00:00+08:00,s-j1,%2$s,JA-%1$s,ja1-%1$s,1,10.00
                """.formatted(run, twoBatches), 1);
        post(HEADER + """
                c2-%1$s,pos,order,2025-02-10T10:00:00+08:00,s-j1,%2$s,JA-%1$s,ja2-%1$s,1,10.00
                d1-%1$s,pos,order,2025-08-05T10:00:00+08:00,s-j2,%2$s,JB-%1$s,jb1-%1$s,1,12.00
                """.formatted(run, twoBatches), 2);

        assertThat(pastIdentifiers(resolve("member_no", "IA-" + run))).containsExactly(
                past(oneBatch, "2025-01-05T02:00:00Z", "2025-02-10T02:00:00Z"));
        assertThat(pastIdentifiers(resolve("member_no", "JA-" + run))).containsExactly(
                past(twoBatches, "2025-01-05T02:00:00Z", "2025-02-10T02:00:00Z"));
        assertThat(pastIdentifiers(resolve("member_no", "IB-" + run))).isEmpty();
        assertThat(resolve("phone", oneBatch)).isEqualTo(resolve("member_no", "IB-" + run));
        assertThat(resolve("phone", twoBatches)).isEqualTo(resolve("member_no", "JB-" + run));
    }

    private static void assertSeparate(String run, String prefix, String phone) {
        String oldHolder = resolve("member_no", prefix + "A-" + run);
        String newHolder = resolve("member_no", prefix + "B-" + run);
        assertThat(newHolder).isNotEqualTo(oldHolder);
        assertThat(resolve("phone", phone)).isEqualTo(newHolder);
        given().get("/members/" + oldHolder).then().statusCode(200).body("eventCount", equalTo(2));
        given().get("/members/" + newHolder).then().statusCode(200).body("eventCount", equalTo(1));
    }

    /** A member's past identifiers as the REST answer gives them: type, value, first and last seen, ended at. */
    private static List<Map<String, Object>> pastIdentifiers(String member) {
        return inFull().get("/members/" + member).then().statusCode(200).extract().path("pastIdentifiers");
    }

    /** A steward's recorded reveal: masked, two phones with the same first three and last four digits read alike. */
    private static RequestSpecification inFull() {
        return given().header("Authorization", "Bearer " + AuthTestResource.withRoles(Roles.STEWARD))
                .queryParam("reveal", true);
    }

    private static Map<String, Object> past(String phone, String firstSeen, String lastSeen) {
        return Map.of("type", "PHONE", "value", "+86" + phone, "firstSeen", firstSeen, "lastSeen", lastSeen,
                "endedAt", lastSeen);
    }

    private static void post(String csv, int accepted) {
        given().contentType("text/csv").body(csv).post("/events/csv").then().statusCode(200)
                .body("accepted", equalTo(accepted));
    }

    private static String resolve(String key, String value) {
        return given().spec(identifiers(key, value)).post("/members/resolve").then().statusCode(200).extract().path("memberId");
    }

    private static String run() {
        return UUID.randomUUID().toString().substring(0, 8);
    }

    /** A phone of this run only, so that runs against one database never share it. */
    private static String phone(String run, String prefix) {
        return prefix + run.chars().map(c -> '0' + c % 10).limit(7)
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append);
    }
}
