package io.memberpulse.identity;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import io.memberpulse.identity.domain.IdentityGraph;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.lang.ref.WeakReference;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A graph dropped for a rebuild (after a split, the unglue of a placeholder, a failed write) must be garbage before
 * its successor loads: at millions of events the heap holds one graph, not two. Nothing but {@link StitchingGraph}
 * may keep a reference to it, not even the last import's batch that waits to be pruned.
 */
@QuarkusTest
class GraphDroppedBeforeRebuildTest {
    @Inject
    StitchingGraph graphs;

    @Test
    void onceDroppedTheGraphTheLastImportWasStitchedOnIsGarbage() throws InterruptedException {
        String run = UUID.randomUUID().toString().substring(0, 8);
        given().contentType("text/csv").body("""
                event_id,source,type,occurred_at,store_id,member_no,order_id,quantity,paid_amount
                gd1-%1$s,pos,order,2025-05-01T10:00:00+08:00,s-gd,GD-%1$s,gd1-%1$s,1,10.00
                """.formatted(run)).post("/events/csv").then().statusCode(200).body("accepted", equalTo(1));
        WeakReference<IdentityGraph> stitchedOn = new WeakReference<>(graphs.graph());

        graphs.invalidate(); // what a split does; the next import loads the graph again

        for (int attempt = 0; attempt < 20 && stitchedOn.get() != null; attempt++) {
            System.gc();
            Thread.sleep(50);
        }
        assertThat(stitchedOn.get()).as("the dropped graph, still reachable").isNull();
    }
}
