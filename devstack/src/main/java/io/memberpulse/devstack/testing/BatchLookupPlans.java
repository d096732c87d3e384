package io.memberpulse.devstack.testing;

import java.util.List;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * How a service's database connections plan a lookup of a full Kafka batch of ids (member_id = ANY(...), 2,000
 * keys) on an analysed table of 150,000 members. Each service's test asserts an index scan: a full scan per batch
 * grows with the table, and a consumer that falls behind never catches up (see POSTGRES_RANDOM_PAGE_COST).
 */
public final class BatchLookupPlans {
    static final String TABLE = "batch_lookup_plan";

    private BatchLookupPlans() {
    }

    /**
     * The plan, one line per row of EXPLAIN. The table lives in the test's own database only while this runs.
     *
     * @param run runs one statement through the service's client and returns the first column of each row
     */
    public static String planOfBatchLookup(Function<String, List<String>> run) {
        String ids = IntStream.range(0, 2_000).mapToObj(i -> "m-" + i * 75).collect(Collectors.joining(","));
        run.apply("DROP TABLE IF EXISTS " + TABLE);
        run.apply("CREATE TABLE " + TABLE + " (member_id TEXT NOT NULL, paid NUMERIC)");
        try {
            run.apply("INSERT INTO " + TABLE + " SELECT 'm-' || g, g FROM generate_series(1, 150000) g");
            run.apply("CREATE INDEX " + TABLE + "_member ON " + TABLE + " (member_id)");
            run.apply("ANALYZE " + TABLE);
            return String.join("\n",
                    run.apply("EXPLAIN SELECT * FROM " + TABLE + " WHERE member_id = ANY('{" + ids + "}'::text[])"));
        } finally {
            run.apply("DROP TABLE " + TABLE);
        }
    }
}
