package io.memberpulse.rfm;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Timestamp;
import io.memberpulse.proto.identity.v1.ChannelEvent;
import io.memberpulse.proto.identity.v1.EventType;
import io.memberpulse.proto.identity.v1.MemberEvent;
import io.memberpulse.proto.identity.v1.OrderLine;
import io.memberpulse.proto.identity.v1.Source;
import io.memberpulse.rfm.domain.PurchaseLine;
import io.memberpulse.rfm.domain.RfmCalculator;
import io.memberpulse.rfm.store.ActivityRepository;
import io.memberpulse.rfm.store.ChurnRiskRepository;
import io.memberpulse.rfm.store.MemberRowRepository;
import io.memberpulse.rfm.store.PurchaseLineRepository;
import io.memberpulse.rfm.store.StreamClockRepository;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.Test;

/**
 * The state loaded at start while the consumer already writes: a purchase committed in the middle of the load must
 * not leave the member held with the new row but the old history (the next pass would then recompute without the
 * purchase, overwrite the row and publish a false "left").
 */
@QuarkusTest
class StartupLoadRaceTest {
    static final Instant DAY0 = Instant.parse("2024-05-01T10:00:00Z");

    @Inject
    Pool pool;

    @Inject
    MemberRowRepository memberRows;

    @Inject
    StreamClockRepository streamClock;

    @Inject
    ActivityRepository activities;

    @Inject
    ChurnRiskRepository risks;

    @Inject
    MemberFacts facts;

    @Inject
    RecomputeRfmService recompute;

    static MemberEvent order(String memberId, String orderId, Instant at, double paid) {
        return MemberEvent.newBuilder().setMemberId(memberId).setEvent(ChannelEvent.newBuilder()
                .setEventId(orderId).setSource(Source.SOURCE_POS).setType(EventType.EVENT_TYPE_ORDER)
                .setOccurredAt(Timestamp.newBuilder().setSeconds(at.getEpochSecond())).setStoreId("s-007")
                .setLine(OrderLine.newBuilder().setOrderId(orderId).setQuantity(1).setPaidAmount(paid))).build();
    }

    @Test
    void aPurchaseCommittedDuringTheLoadIsHeldWithItsRow() {
        // Event times at or before the clock, so the clock other tests read does not move.
        Instant clock = streamClock.watermark().await().indefinitely().orElse(DAY0);
        String member = "m-" + UUID.randomUUID();
        recompute.record(List.of(order(member, member + "-o1", clock.minus(Duration.ofDays(3)), 40)))
                .toCompletableFuture().join();

        AtomicBoolean bought = new AtomicBoolean();
        PurchaseLineRepository racing = new PurchaseLineRepository(pool) {
            /** The second purchase commits (lines and row) right after the load has scanned the purchase lines. */
            @Override
            public Uni<Long> forEachLine(BiConsumer<String, PurchaseLine> each) {
                return super.forEachLine(each).emitOn(Infrastructure.getDefaultWorkerPool()).invoke(() -> {
                    if (bought.compareAndSet(false, true)) {
                        recompute.record(List.of(order(member, member + "-o2", clock.minus(Duration.ofDays(1)), 60)))
                                .toCompletableFuture().join();
                    }
                });
            }
        };
        MemberStates states = new MemberStates(memberRows, racing, activities, risks, facts);
        states.sync(); // the load
        assertThat(bought).isTrue();
        states.sync(); // the catch-up before a pass

        MemberStates.State held = states.all().get(member);
        assertThat(held.row().snapshot().rfm().ordersTotal()).isEqualTo(2);
        assertThat(held.history().lines()).extracting(PurchaseLine::orderId).hasSize(2);
        // What the next pass computes from the held history keeps the purchase the row already has.
        var recomputed = new RfmCalculator(0.3).compute(member, held.history(), held.row().snapshot().rfm().asOf());
        assertThat(recomputed.ordersTotal()).isEqualTo(held.row().snapshot().rfm().ordersTotal());
        assertThat(recomputed.monetaryNetTotal()).isEqualTo(100.0);
    }
}
