package io.memberpulse.rfm;

import static org.assertj.core.api.Assertions.assertThat;

import io.memberpulse.proto.identity.v1.MemberEvent;
import io.memberpulse.rfm.domain.RfmSnapshot;
import io.memberpulse.rfm.store.RfmReadRepository;
import io.memberpulse.rfm.store.StreamClockRepository;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.helpers.test.AssertSubscriber;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A segment's members are streamed (gRPC StreamSegmentMembers) a page at a time as the client asks for them, never
 * the whole segment read into memory first (a segment of a million members was held at once).
 */
@QuarkusTest
class SegmentMemberStreamTest {
    @Inject
    RfmReadRepository rfmReads;

    @Inject
    StreamClockRepository streamClock;

    @Inject
    RecomputeRfmService recompute;

    Instant clock;

    void buy(String member, String store) {
        MemberEvent order = StartupLoadRaceTest.order(member, member + "-o1", clock.minus(Duration.ofDays(2)), 30);
        recompute.record(List.of(order.toBuilder().setEvent(order.getEvent().toBuilder().setStoreId(store)).build()))
                .toCompletableFuture().join();
    }

    @Test
    void aStreamReadsPageByPageAndGivesEveryMemberOnce() {
        clock = streamClock.watermark().await().indefinitely().orElse(StartupLoadRaceTest.DAY0);
        String store = "s-" + UUID.randomUUID();
        String prefix = "m-" + UUID.randomUUID() + "-";
        List<String> members = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            members.add(prefix + i);
            buy(prefix + i, store);
        }

        // Pages of 3: the client takes one member, then a member sorting last joins the segment, then it takes the rest.
        AssertSubscriber<String> client = rfmReads.membersOf("stage:new", store, 3).map(row -> row.rfm().memberId())
                .subscribe().withSubscriber(AssertSubscriber.create(1));
        client.awaitItems(1, Duration.ofSeconds(30));
        buy(prefix + 9, store);
        client.request(Long.MAX_VALUE).awaitCompletion(Duration.ofSeconds(30));
        members.add(prefix + 9);
        assertThat(client.getItems()).as("read as asked for: the late member is on a page read after it joined; "
                + "page ends neither skip nor repeat a member").containsExactlyElementsOf(members);

        // Pages of exactly the segment's size: the empty page after them ends the stream.
        assertThat(rfmReads.membersOf("stage:new", store, 8).collect().asList().await().atMost(Duration.ofSeconds(30)))
                .extracting(RfmSnapshot::rfm).hasSize(8);
    }
}
