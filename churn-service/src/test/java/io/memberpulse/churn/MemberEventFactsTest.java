package io.memberpulse.churn;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Timestamp;
import io.memberpulse.churn.domain.Purchase;
import io.memberpulse.churn.store.FactRepository;
import io.memberpulse.proto.identity.v1.ChannelEvent;
import io.memberpulse.proto.identity.v1.Coupon;
import io.memberpulse.proto.identity.v1.EventType;
import io.memberpulse.proto.identity.v1.Identifiers;
import io.memberpulse.proto.identity.v1.MemberEvent;
import io.memberpulse.proto.identity.v1.OrderLine;
import io.memberpulse.proto.identity.v1.Review;
import io.memberpulse.proto.identity.v1.Source;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MemberEventFactsTest {
    static final Instant AT = Instant.parse("2024-06-30T08:15:30.250Z");

    static ChannelEvent.Builder fact(String eventId, EventType type) {
        return ChannelEvent.newBuilder().setEventId(eventId).setSource(Source.SOURCE_DELIVERY).setType(type)
                .setOccurredAt(Timestamp.newBuilder().setSeconds(AT.getEpochSecond()).setNanos(AT.getNano()))
                .setStoreId("s1");
    }

    static MemberEvent event(String member, ChannelEvent.Builder fact) {
        return MemberEvent.newBuilder().setMemberId(member).setEvent(fact).build();
    }

    @Test
    void ordersAndRefundsArePurchasesWithTheirLineAndTheirBuyers() {
        MemberEventFacts facts = MemberEventFacts.of(List.of(
                event("m1", fact("e1", EventType.EVENT_TYPE_ORDER).setIdentifiers(Identifiers.newBuilder().setMemberNo("P-7"))
                        .setLine(OrderLine.newBuilder().setOrderId("o1").setSku("yog").setCategory("dairy/yogurt")
                                .setQuantity(2).setPaidAmount(18).setDiscountAmount(2))),
                event("m2", fact("e2", EventType.EVENT_TYPE_REFUND)
                        .setLine(OrderLine.newBuilder().setOrderId("o2").setRefundAmount(5))),
                // an order line without an order id or amount is no purchase
                event("m3", fact("e3", EventType.EVENT_TYPE_ORDER).setLine(OrderLine.newBuilder().setPaidAmount(9))),
                event("m3", fact("e4", EventType.EVENT_TYPE_ORDER).setLine(OrderLine.newBuilder().setOrderId("o4")))));

        assertThat(facts.purchases()).containsExactly(
                new FactRepository.StoredPurchase("delivery", "e1", "m1", new Purchase("o1", false, AT, "s1", 18),
                        new FactRepository.LineDetail("yog", "dairy/yogurt", 2.0, 2.0)),
                new FactRepository.StoredPurchase("delivery", "e2", "m2", new Purchase("o2", true, AT, "s1", -5),
                        new FactRepository.LineDetail(null, null, null, null)));
        assertThat(facts.buyers()).containsExactly("m1", "m2");
        assertThat(facts.memberNumbers()).isEqualTo(Map.of("m1", "P-7"));
        assertThat(facts.retracted()).isEmpty();
        assertThat(facts.activities()).isEmpty();
    }

    @Test
    void aDuplicateOrderLineTakesBackItsKeyUnlessItWasNeverCounted() {
        ChannelEvent.Builder line = fact("e1", EventType.EVENT_TYPE_ORDER)
                .setLine(OrderLine.newBuilder().setOrderId("o1").setPaidAmount(18));
        MemberEventFacts facts = MemberEventFacts.of(List.of(
                event("m1", line).toBuilder().setDuplicateOrder(true).build(),
                event("m2", fact("e2", EventType.EVENT_TYPE_ORDER).setLine(OrderLine.newBuilder().setOrderId("o1")
                        .setPaidAmount(18))).toBuilder().setDuplicateOrder(true).setNeverCounted(true).build(),
                // a retraction needs no member: the line is found by its key, whoever holds it now
                MemberEvent.newBuilder().setEvent(fact("e3", EventType.EVENT_TYPE_ORDER)).setDuplicateOrder(true).build(),
                event("m1", fact("e4", EventType.EVENT_TYPE_ORDER)
                        .setLine(OrderLine.newBuilder().setOrderId("o5").setPaidAmount(3)))));

        assertThat(facts.purchases()).extracting(FactRepository.StoredPurchase::eventId).containsExactly("e4");
        assertThat(facts.retracted()).containsExactly(new FactRepository.LineKey("delivery", "e1"),
                new FactRepository.LineKey("delivery", "e3"));
        assertThat(facts.lineKeys()).containsExactly(new FactRepository.LineKey("delivery", "e1"),
                new FactRepository.LineKey("delivery", "e3"), new FactRepository.LineKey("delivery", "e4"));
        // the member a retraction names holds its line: re-scored even when a retry finds the line deleted already (a
        // line never counted has no holder)
        assertThat(facts.retractingMembers()).containsExactly("m1");
        assertThat(facts.buyers()).containsExactly("m1");
    }

    @Test
    void reviewsCouponsAndVisitsAreActivitiesAndStockOutsNeedAStoreButNoMember() {
        MemberEventFacts facts = MemberEventFacts.of(List.of(
                event("m1", fact("r1", EventType.EVENT_TYPE_REVIEW).setReview(Review.newBuilder().setRating(2)
                        .setText("牛奶过期了")).setLine(OrderLine.newBuilder().setOrderId("o1"))),
                event("m1", fact("r2", EventType.EVENT_TYPE_REVIEW).setReview(Review.newBuilder().setRating(0))),
                event("m1", fact("c1", EventType.EVENT_TYPE_COUPON_REDEEMED)
                        .setCoupon(Coupon.newBuilder().setCouponId("k").setCouponValue(10))),
                event("m1", fact("v1", EventType.EVENT_TYPE_VISIT).setStoreId("")),
                MemberEvent.newBuilder().setEvent(fact("x1", EventType.EVENT_TYPE_STOCKOUT)
                        .setLine(OrderLine.newBuilder().setSku("yog").setCategory("dairy"))).build(),
                MemberEvent.newBuilder().setEvent(fact("x2", EventType.EVENT_TYPE_STOCKOUT).setStoreId("")).build(),
                // without a member, nothing but a retraction or a stock-out is kept
                MemberEvent.newBuilder().setEvent(fact("v2", EventType.EVENT_TYPE_VISIT)).build()));

        assertThat(facts.activities()).containsExactly(
                new FactRepository.StoredActivity("delivery", "r1", "m1", "review", AT, "o1", "s1", null, 2, "牛奶过期了"),
                new FactRepository.StoredActivity("delivery", "r2", "m1", "review", AT, null, "s1", null, null, null),
                new FactRepository.StoredActivity("delivery", "c1", "m1", "coupon_redeemed", AT, null, "s1", 10.0, null,
                        null),
                new FactRepository.StoredActivity("delivery", "v1", "m1", "visit", AT, null, null, null, null, null));
        assertThat(facts.stockOuts()).singleElement().satisfies(stockOut -> {
            assertThat(stockOut.eventId()).isEqualTo("x1");
            assertThat(stockOut.stockOut().storeId()).isEqualTo("s1");
            assertThat(stockOut.stockOut().sku()).isEqualTo("yog");
            assertThat(stockOut.stockOut().category()).isEqualTo("dairy");
            assertThat(stockOut.stockOut().at()).isEqualTo(AT);
        });
        assertThat(facts.purchases()).isEmpty();
        assertThat(facts.buyers()).isEmpty();
    }

    @Test
    void aReviewAndARedemptionNamingAFlaggedCopyApplyToTheCountedOrder() {
        io.memberpulse.proto.identity.v1.OrderRef counted = io.memberpulse.proto.identity.v1.OrderRef.newBuilder()
                .setSource(Source.SOURCE_DELIVERY).setOrderId("D1").build();
        MemberEventFacts facts = MemberEventFacts.of(List.of(
                event("m1", fact("r1", EventType.EVENT_TYPE_REVIEW).setSource(Source.SOURCE_POS)
                        .setReview(Review.newBuilder().setRating(2)).setLine(OrderLine.newBuilder().setOrderId("T9")))
                        .toBuilder().setCountedOrder(counted).build(),
                event("m1", fact("c1", EventType.EVENT_TYPE_COUPON_REDEEMED).setSource(Source.SOURCE_POS)
                        .setCoupon(Coupon.newBuilder().setCouponId("k")).setLine(OrderLine.newBuilder().setOrderId("T9")))
                        .toBuilder().setCountedOrder(counted).build(),
                // without it, the event's own order
                event("m1", fact("r2", EventType.EVENT_TYPE_REVIEW).setSource(Source.SOURCE_POS)
                        .setReview(Review.newBuilder().setRating(4)).setLine(OrderLine.newBuilder().setOrderId("T8")))));

        assertThat(facts.activities()).extracting(a -> a.eventId() + " " + a.orderId())
                .containsExactly("r1 D1", "c1 D1", "r2 T8");
    }
}
