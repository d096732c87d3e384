package io.memberpulse.campaign.testdata;

import com.google.protobuf.Timestamp;
import io.memberpulse.proto.identity.v1.ChannelEvent;
import io.memberpulse.proto.identity.v1.Coupon;
import io.memberpulse.proto.identity.v1.EventType;
import io.memberpulse.proto.identity.v1.MemberEvent;
import io.memberpulse.proto.identity.v1.OrderLine;
import io.memberpulse.proto.identity.v1.Source;
import io.memberpulse.proto.kafka.MemberEventDeserializer;
import io.memberpulse.proto.kafka.ProtobufSerdes;
import io.memberpulse.proto.kafka.Topics;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Test data: MemberEvents as identity-service publishes them on member.events. */
public final class MemberEvents {
    private MemberEvents() {
    }

    public static void register(KafkaCompanion kafka) {
        kafka.registerSerde(MemberEvent.class, ProtobufSerdes.of(new MemberEventDeserializer()));
    }

    public static MemberEvent orderLine(String member, String eventId, String orderId, Instant at, String store,
            String sku, String category, double quantity, double paid) {
        return event(member, ChannelEvent.newBuilder().setEventId(eventId).setSource(Source.SOURCE_POS)
                .setType(EventType.EVENT_TYPE_ORDER).setOccurredAt(timestamp(at)).setStoreId(store)
                .setLine(OrderLine.newBuilder().setOrderId(orderId).setSku(sku).setCategory(category)
                        .setQuantity(quantity).setPaidAmount(paid)));
    }

    public static MemberEvent refund(String member, String eventId, String orderId, Instant at, String store, double amount) {
        return event(member, ChannelEvent.newBuilder().setEventId(eventId).setSource(Source.SOURCE_POS)
                .setType(EventType.EVENT_TYPE_REFUND).setOccurredAt(timestamp(at)).setStoreId(store)
                .setLine(OrderLine.newBuilder().setOrderId(orderId).setRefundAmount(amount)));
    }

    public static MemberEvent coupon(String member, String eventId, boolean issued, String couponId, String campaignId,
            double value, Instant at, String store) {
        return event(member, ChannelEvent.newBuilder().setEventId(eventId).setSource(Source.SOURCE_CRM)
                .setType(issued ? EventType.EVENT_TYPE_COUPON_ISSUED : EventType.EVENT_TYPE_COUPON_REDEEMED)
                .setOccurredAt(timestamp(at)).setStoreId(store)
                .setCoupon(Coupon.newBuilder().setCouponId(couponId).setCampaignId(campaignId).setCouponValue(value)));
    }

    static MemberEvent event(String member, ChannelEvent.Builder fact) {
        return MemberEvent.newBuilder().setMemberId(member).setEvent(fact).build();
    }

    public static void publish(KafkaCompanion kafka, List<MemberEvent> events) {
        kafka.produce(String.class, MemberEvent.class)
                .fromRecords(events.stream().map(e -> new ProducerRecord<>(Topics.MEMBER_EVENTS, e.getMemberId(), e)).toList())
                // Histories of thousands of events take longer than the companion's default 10 s on a busy machine.
                .awaitCompletion(Duration.ofSeconds(120));
    }

    public static Timestamp timestamp(Instant at) {
        return Timestamp.newBuilder().setSeconds(at.getEpochSecond()).setNanos(at.getNano()).build();
    }
}
