package io.memberpulse.campaign;

import static org.assertj.core.api.Assertions.assertThat;

import io.memberpulse.campaign.testdata.ChurnEvents;
import io.memberpulse.campaign.testdata.MemberEvents;
import io.memberpulse.proto.identity.v1.MemberEvent;
import io.memberpulse.proto.identity.v1.OrderRef;
import io.memberpulse.proto.identity.v1.Source;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.vertx.VertxContextSupport;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Two publications of a refund on either side of a merge go out under different members (partitions) and may be
 * consumed newest first: the older one (MemberEvent.publication_version) leaves it on the newer's order.
 */
@QuarkusTest
class OutOfOrderPublicationsTest {
    @Inject
    Pool database;

    @Inject
    RecordPurchasesService purchases;

    @Test
    void anOlderPublicationOfARefundConsumedAfterANewerOneLeavesItOnTheNewersOrder() throws Throwable {
        String run = ChurnEvents.run();
        String member = "ooo-" + run, survivor = "ooo-s-" + run;
        MemberEvent refund = MemberEvents.refund(survivor, run + "-r", run + "-T9", Instant.parse("2024-03-05T10:00:00Z"),
                "st-" + run, 10);
        // the newer publication (under the survivor) names the delivery order; the older (under the member merged
        // away) the till's own
        MemberEvent newer = refund.toBuilder().setCountedOrder(OrderRef.newBuilder().setSource(Source.SOURCE_DELIVERY)
                .setOrderId(run + "-D1")).setPublicationVersion(9).build();
        MemberEvent older = refund.toBuilder().setMemberId(member).setCountedOrder(OrderRef.newBuilder()
                .setSource(Source.SOURCE_POS).setOrderId(run + "-T9")).setPublicationVersion(7).build();
        record(newer);
        record(older);
        assertThat(orderOf(run + "-r")).isEqualTo("delivery " + run + "-D1");
        // a publisher predating the version: applied as before, the last consumed wins
        record(older.toBuilder().setPublicationVersion(0).build());
        assertThat(orderOf(run + "-r")).isEqualTo("pos " + run + "-T9");
    }

    private void record(MemberEvent event) throws Throwable {
        VertxContextSupport.subscribeAndAwait(() -> purchases.record(List.of(event)));
    }

    private String orderOf(String eventId) {
        Row row = database.preparedQuery("SELECT order_source, order_id FROM member_purchase WHERE event_id = $1")
                .execute(Tuple.of(eventId)).await().indefinitely().iterator().next();
        return row.getString(0) + " " + row.getString(1);
    }
}
