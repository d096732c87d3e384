package io.memberpulse.churn;

import static org.assertj.core.api.Assertions.assertThat;

import io.memberpulse.churn.domain.features.Activity;
import io.memberpulse.churn.store.ModelInputRepository;
import io.memberpulse.churn.store.StreamClockRepository;
import io.memberpulse.proto.identity.v1.ChannelEvent;
import io.memberpulse.proto.identity.v1.EventType;
import io.memberpulse.proto.identity.v1.MemberEvent;
import io.memberpulse.proto.identity.v1.OrderLine;
import io.memberpulse.proto.identity.v1.OrderRef;
import io.memberpulse.proto.identity.v1.Review;
import io.memberpulse.proto.identity.v1.Source;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Two publications of a refund and a review on either side of a merge go out under different members (partitions) and
 * may be consumed newest first: the older one (MemberEvent.publication_version) leaves them on the newer's order.
 */
@QuarkusTest
class OutOfOrderPublicationsTest {
    @Inject
    ModelInputRepository inputs;

    @Inject
    StreamClockRepository streamClock;

    @Inject
    ScoreMembersService scoring;

    @Test
    void anOlderPublicationConsumedAfterANewerOneLeavesTheRefundAndReviewOnTheNewersOrder() {
        String member = "ooo-" + ScoringFixture.runId();
        String survivor = "ooo-s-" + member;
        String store = "S-" + member;
        Instant at = ScoringFixture.now(streamClock).minus(Duration.ofDays(5));
        OrderRef delivery = OrderRef.newBuilder().setSource(Source.SOURCE_DELIVERY).setOrderId(member + "-d").build();
        OrderRef till = OrderRef.newBuilder().setSource(Source.SOURCE_POS).setOrderId(member + "-t").build();
        MemberEvent refund = MemberEvent.newBuilder().setMemberId(survivor).setEvent(ChannelEvent.newBuilder()
                .setEventId(member + "-r").setSource(Source.SOURCE_POS).setType(EventType.EVENT_TYPE_REFUND)
                .setOccurredAt(ScoringFixture.timestamp(at)).setStoreId(store)
                .setLine(OrderLine.newBuilder().setOrderId(member + "-t").setRefundAmount(30))).build();
        MemberEvent review = MemberEvent.newBuilder().setMemberId(survivor).setEvent(ChannelEvent.newBuilder()
                .setEventId(member + "-v").setSource(Source.SOURCE_POS).setType(EventType.EVENT_TYPE_REVIEW)
                .setOccurredAt(ScoringFixture.timestamp(at)).setStoreId(store)
                .setReview(Review.newBuilder().setRating(2))
                .setLine(OrderLine.newBuilder().setOrderId(member + "-t"))).build();
        // the newer publications (under the survivor) name the delivery order; the older (under the member merged
        // away) the till's own
        scoring.record(List.of(newer(refund, delivery), newer(review, delivery)));
        scoring.record(List.of(older(refund, member, till), older(review, member, till)));

        assertThat(activities(survivor)).containsExactlyInAnyOrder("REFUND delivery:" + member + "-d",
                "REVIEW delivery:" + member + "-d");
        // a publisher predating the version: applied as before, the last consumed wins
        scoring.record(List.of(older(refund, member, till).toBuilder().setPublicationVersion(0).build(),
                older(review, member, till).toBuilder().setPublicationVersion(0).build()));
        assertThat(activities(survivor)).containsExactlyInAnyOrder("REFUND pos:" + member + "-t",
                "REVIEW pos:" + member + "-t");
    }

    private static MemberEvent newer(MemberEvent event, OrderRef counted) {
        return event.toBuilder().setCountedOrder(counted).setPublicationVersion(9).build();
    }

    private static MemberEvent older(MemberEvent event, String member, OrderRef counted) {
        return event.toBuilder().setMemberId(member).setCountedOrder(counted).setPublicationVersion(7).build();
    }

    private List<String> activities(String member) {
        return inputs.activitiesOf(List.of(member)).await().indefinitely().get(member).stream()
                .filter(a -> a.kind() == Activity.Kind.REFUND || a.kind() == Activity.Kind.REVIEW)
                .map(a -> a.kind() + " " + a.channel() + ":" + a.orderId()).toList();
    }
}
