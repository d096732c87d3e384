package io.memberpulse.identity.store;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * The graph is loaded a page at a time (so that millions of rows never sit in memory at once beside the graph they
 * build). Read with pages of two rows, every table must come back whole, each row once: keys that share their
 * leading columns (one type with many values, one value seen at many stores) cross the page ends.
 */
@QuarkusTest
class GraphLoadPagesTest {
    private static final int TWO_ROWS = 2;

    @Inject
    Pool pool;

    @Test
    void readInPagesOfTwoRowsEveryTableComesBackWholeAndEachRowOnce() {
        String run = UUID.randomUUID().toString().substring(0, 8);
        given().contentType("text/csv").body("""
                event_id,source,type,occurred_at,store_id,member_no,platform_uid
                gp1-%1$s,pos,visit,2025-04-01T10:00:00+08:00,s-gp1,GP1-%1$s,
                gp2-%1$s,pos,visit,2025-04-02T10:00:00+08:00,s-gp2,GP1-%1$s,
                gp3-%1$s,pos,visit,2025-04-03T10:00:00+08:00,s-gp3,GP1-%1$s,
                gp4-%1$s,delivery,visit,2025-04-04T10:00:00+08:00,s-gp1,,GPU-%1$s
                gp5-%1$s,pos,visit,2025-04-05T10:00:00+08:00,s-gp2,GP2-%1$s,
                gp6-%1$s,pos,visit,2025-04-06T10:00:00+08:00,s-gp2,GP3-%1$s,
                """.formatted(run)).post("/events/csv").then().statusCode(200).body("accepted", equalTo(6));
        GraphRepository paged = new GraphRepository(pool, TWO_ROWS);

        List<String> members = new ArrayList<>();
        paged.members(m -> members.add(m.id() + "|" + m.mergedInto()));
        List<String> links = new ArrayList<>();
        paged.links(l -> links.add(l.identifier().type().code() + "|" + l.identifier().value() + "|" + l.memberId()
                + "|" + l.lastSeen()));
        List<String> stores = new ArrayList<>();
        paged.identifierStores(s -> stores.add(s.identifier().type().code() + "|" + s.identifier().value() + "|"
                + s.storeId() + "|" + s.lastSeen()));
        List<String> events = new ArrayList<>();
        paged.storedEvents(e -> events.add(e.source() + "|" + e.eventId() + "|" + e.memberId()));

        assertThat(stores).as("a value seen at three stores crosses a page end")
                .contains("member_no|GP1-" + run + "|s-gp1|2025-04-01T02:00:00Z",
                        "member_no|GP1-" + run + "|s-gp2|2025-04-02T02:00:00Z",
                        "member_no|GP1-" + run + "|s-gp3|2025-04-03T02:00:00Z");
        assertThat(members).containsExactlyInAnyOrderElementsOf(all(
                "SELECT id, merged_into FROM member", row -> row.getString(0) + "|" + row.getString(1)));
        assertThat(links).containsExactlyInAnyOrderElementsOf(all(
                "SELECT type, value, member_id, last_seen FROM member_identifier",
                row -> row.getString(0) + "|" + row.getString(1) + "|" + row.getString(2) + "|"
                        + row.getOffsetDateTime(3).toInstant()));
        assertThat(stores).containsExactlyInAnyOrderElementsOf(all(
                "SELECT type, value, store_id, last_seen FROM identifier_store",
                row -> row.getString(0) + "|" + row.getString(1) + "|" + row.getString(2) + "|"
                        + row.getOffsetDateTime(3).toInstant()));
        assertThat(events).containsExactlyInAnyOrderElementsOf(all(
                "SELECT source, event_id, member_id FROM channel_event WHERE member_id IS NOT NULL",
                row -> row.getString(0) + "|" + row.getString(1) + "|" + row.getString(2)));
        assertThat(events).as("more than one page").hasSizeGreaterThan(TWO_ROWS);
    }

    private List<String> all(String sql, Function<io.vertx.mutiny.sqlclient.Row, String> key) {
        List<String> rows = new ArrayList<>();
        pool.query(sql).execute().await().indefinitely().forEach(row -> rows.add(key.apply(row)));
        return rows;
    }
}
