package io.memberpulse.rfm;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Timestamp;
import io.memberpulse.proto.identity.v1.ChannelEvent;
import io.memberpulse.proto.identity.v1.EventType;
import io.memberpulse.proto.identity.v1.MemberEvent;
import io.memberpulse.proto.identity.v1.OrderLine;
import io.memberpulse.proto.identity.v1.Source;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** What rfm keeps of an order line published as counted, and of the same line published again as a duplicate. */
class EventFactsTest {
    static final Instant AT = Instant.parse("2024-05-01T10:00:00Z");

    static MemberEvent orderLine(boolean duplicate) {
        return MemberEvent.newBuilder().setMemberId("m-1").setDuplicateOrder(duplicate).setEvent(ChannelEvent.newBuilder()
                .setEventId("e-1").setSource(Source.SOURCE_POS).setType(EventType.EVENT_TYPE_ORDER)
                .setOccurredAt(Timestamp.newBuilder().setSeconds(AT.getEpochSecond())).setStoreId("s-1")
                .setLine(OrderLine.newBuilder().setOrderId("o-1").setQuantity(1).setPaidAmount(80))).build();
    }

    @Test
    void aCountedLineIsAPurchaseAndRetractsNothing() {
        MemberEvent counted = orderLine(false);
        assertThat(EventFacts.toLine(counted, AT)).isNotNull();
        assertThat(EventFacts.retracts(counted)).isFalse();
    }

    @Test
    void theSameLineAsADuplicateIsNoPurchaseAndRetractsTheStoredOneByItsKey() {
        MemberEvent duplicate = orderLine(true);
        assertThat(EventFacts.toLine(duplicate, AT)).isNull();
        assertThat(EventFacts.retracts(duplicate)).isTrue();
        assertThat(EventFacts.source(duplicate)).isEqualTo(EventFacts.source(orderLine(false))).isEqualTo("pos");
    }
}
