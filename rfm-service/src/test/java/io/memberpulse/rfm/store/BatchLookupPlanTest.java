package io.memberpulse.rfm.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.memberpulse.devstack.testing.BatchLookupPlans;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;

/** A full batch of ids is looked up through the index on a large table (random_page_cost, application.properties). */
@QuarkusTest
class BatchLookupPlanTest {
    @Inject
    Pool pool;

    @Test
    void aBatchOfTwoThousandIdsIsLookedUpThroughTheIndex() {
        String plan = BatchLookupPlans.planOfBatchLookup(sql -> StreamSupport
                .stream(pool.query(sql).execute().await().indefinitely().spliterator(), false)
                .map(row -> row.size() == 0 ? "" : String.valueOf(row.getValue(0))).toList());

        assertThat(plan).contains("Index").doesNotContain("Seq Scan");
    }
}
