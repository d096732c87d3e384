package io.memberpulse.rfm.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;

/**
 * A full Kafka batch of ids looked up with member_id = ANY($1) stays an index scan on a table of 150,000 members
 * (the connections' random_page_cost, application.properties): with PostgreSQL's default the planner reads the
 * whole table for every batch, and the live path falls behind for good.
 */
@QuarkusTest
class BatchLookupPlanTest {
    @Inject
    Pool pool;

    @Test
    void aBatchOfTwoThousandIdsIsLookedUpThroughTheIndex() {
        String[] batch = IntStream.range(0, 2_000).mapToObj(i -> "m-" + i * 75).toArray(String[]::new);
        String plan = pool.withConnection(connection -> connection
                .query("CREATE TEMP TABLE lookup_plan (member_id TEXT NOT NULL, paid NUMERIC)").execute()
                .chain(() -> connection.query("INSERT INTO lookup_plan SELECT 'm-' || g, g FROM generate_series(1, 150000) g").execute())
                .chain(() -> connection.query("CREATE INDEX lookup_plan_member ON lookup_plan (member_id)").execute())
                .chain(() -> connection.query("ANALYZE lookup_plan").execute())
                .chain(() -> connection.preparedQuery("EXPLAIN SELECT * FROM lookup_plan WHERE member_id = ANY($1)")
                        .execute(Tuple.of(batch)))
                .map(rows -> StreamSupport.stream(rows.spliterator(), false).map(row -> row.getString(0))
                        .collect(Collectors.joining("\n")))
                .call(() -> connection.query("DROP TABLE lookup_plan").execute()))
                .await().indefinitely();

        assertThat(plan).contains("lookup_plan_member").doesNotContain("Seq Scan");
    }
}
