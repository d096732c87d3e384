package io.memberpulse.identity;

import static io.memberpulse.identity.SplitPastIdentifiersTest.past;
import static io.memberpulse.identity.SplitPastIdentifiersTest.pastIdentifiers;
import static io.memberpulse.identity.SplitPastIdentifiersTest.post;
import static io.memberpulse.identity.SplitPastIdentifiersTest.resolve;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * One member holding a phone twice, somebody else holding it in between: two past holding periods, and a use imported
 * late widens the period it belongs to (nobody else held the phone between them), not the other one.
 */
@QuarkusTest
class PhoneHeldTwiceTest {
    private static final String HEADER = "event_id,source,type,occurred_at,store_id,phone,member_no,openid,order_id,"
            + "quantity,paid_amount\n";

    @Test
    void aPhoneBackWithItsOldHolderAfterAReissueIsTwoPeriodsOfTheirs() {
        String run = UUID.randomUUID().toString().substring(0, 8);
        String phone = "1391" + run.chars().map(c -> '0' + c % 10).limit(7)
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append);
        post(HEADER + """
                a1-%1$s,pos,order,2025-01-05T10:00:00+08:00,s-h1,%2$s,HA-%1$s,,ha1-%1$s,1,10.00
                a2-%1$s,pos,order,2025-02-10T10:00:00+08:00,s-h1,%2$s,HA-%1$s,,ha2-%1$s,1,10.00
                """.formatted(run, phone), 2);
        post(HEADER + """
                b1-%1$s,pos,order,2025-08-05T10:00:00+08:00,s-h2,%2$s,HB-%1$s,,hb1-%1$s,1,12.00
                """.formatted(run, phone), 1);
        post(HEADER + """
                a3-%1$s,pos,order,2026-03-02T10:00:00+08:00,s-h1,%2$s,HA-%1$s,,ha3-%1$s,1,10.00
                """.formatted(run, phone), 1);
        post(HEADER + """
                c1-%1$s,pos,order,2026-09-01T10:00:00+08:00,s-h3,%2$s,HC-%1$s,,hc1-%1$s,1,11.00
                """.formatted(run, phone), 1);

        String first = resolve("member_no", "HA-" + run);
        assertThat(resolve("phone", phone)).isEqualTo(resolve("member_no", "HC-" + run));
        assertThat(pastIdentifiers(first)).containsExactly(past(phone, "2025-01-05T02:00:00Z", "2025-02-10T02:00:00Z"),
                past(phone, "2026-03-02T02:00:00Z", "2026-03-02T02:00:00Z"));
        assertThat(pastIdentifiers(resolve("member_no", "HB-" + run))).containsExactly(
                past(phone, "2025-08-05T02:00:00Z", "2025-08-05T02:00:00Z"));

        // their uses imported late, each in an import of its own: each widens the period it falls next to
        post(HEADER + """
                a0-%1$s,pos,order,2024-12-20T10:00:00+08:00,s-h1,%2$s,HA-%1$s,,ha0-%1$s,1,10.00
                """.formatted(run, phone), 1);
        post(HEADER + """
                a4-%1$s,pos,order,2026-04-15T10:00:00+08:00,s-h1,%2$s,HA-%1$s,,ha4-%1$s,1,10.00
                """.formatted(run, phone), 1);
        assertThat(resolve("member_no", "HA-" + run)).isEqualTo(first);
        assertThat(pastIdentifiers(first)).containsExactly(past(phone, "2024-12-20T02:00:00Z", "2025-02-10T02:00:00Z"),
                past(phone, "2026-03-02T02:00:00Z", "2026-04-15T02:00:00Z"));
        assertThat(pastIdentifiers(resolve("member_no", "HB-" + run))).containsExactly(
                past(phone, "2025-08-05T02:00:00Z", "2025-08-05T02:00:00Z"));
    }

    /** The same four holdings in one import: the graph keeps the holder's two periods apart too. */
    @Test
    void aPhoneBackWithItsOldHolderWithinOneImportIsTwoPeriodsOfTheirs() {
        String run = UUID.randomUUID().toString().substring(0, 8);
        String phone = "1392" + run.chars().map(c -> '0' + c % 10).limit(7)
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append);
        post(HEADER + """
                a1-%1$s,pos,order,2025-01-05T10:00:00+08:00,s-q1,%2$s,QA-%1$s,,qa1-%1$s,1,10.00
                a2-%1$s,pos,order,2025-02-10T10:00:00+08:00,s-q1,%2$s,QA-%1$s,,qa2-%1$s,1,10.00
                b1-%1$s,pos,order,2025-08-05T10:00:00+08:00,s-q2,%2$s,QB-%1$s,,qb1-%1$s,1,12.00
                a3-%1$s,pos,order,2026-03-02T10:00:00+08:00,s-q1,%2$s,QA-%1$s,,qa3-%1$s,1,10.00
                c1-%1$s,pos,order,2026-09-01T10:00:00+08:00,s-q3,%2$s,QC-%1$s,,qc1-%1$s,1,11.00
                """.formatted(run, phone), 5);

        assertThat(resolve("phone", phone)).isEqualTo(resolve("member_no", "QC-" + run));
        assertThat(pastIdentifiers(resolve("member_no", "QA-" + run))).containsExactly(
                past(phone, "2025-01-05T02:00:00Z", "2025-02-10T02:00:00Z"),
                past(phone, "2026-03-02T02:00:00Z", "2026-03-02T02:00:00Z"));
        assertThat(pastIdentifiers(resolve("member_no", "QB-" + run))).containsExactly(
                past(phone, "2025-08-05T02:00:00Z", "2025-08-05T02:00:00Z"));
    }

    /** Re-issued and back with its old holder within one import: their first holding is still a past period. */
    @Test
    void aPhoneBackWithItsOldHolderWithinOneImportKeepsTheirFirstPeriod() {
        String run = UUID.randomUUID().toString().substring(0, 8);
        String phone = "1393" + run.chars().map(c -> '0' + c % 10).limit(7)
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append);
        post(HEADER + """
                a1-%1$s,pos,order,2025-01-05T10:00:00+08:00,s-x1,%2$s,XA-%1$s,,xa1-%1$s,1,10.00
                b1-%1$s,pos,order,2025-08-05T10:00:00+08:00,s-x2,%2$s,XB-%1$s,,xb1-%1$s,1,12.00
                a3-%1$s,pos,order,2026-03-02T10:00:00+08:00,s-x1,%2$s,XA-%1$s,,xa3-%1$s,1,10.00
                """.formatted(run, phone), 3);

        String holder = resolve("member_no", "XA-" + run);
        assertThat(resolve("phone", phone)).isEqualTo(holder);
        assertThat(pastIdentifiers(holder)).containsExactly(past(phone, "2025-01-05T02:00:00Z", "2025-01-05T02:00:00Z"));
        assertThat(pastIdentifiers(resolve("member_no", "XB-" + run))).containsExactly(
                past(phone, "2025-08-05T02:00:00Z", "2025-08-05T02:00:00Z"));
    }
}
