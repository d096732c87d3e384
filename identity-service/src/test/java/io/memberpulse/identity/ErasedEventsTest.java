package io.memberpulse.identity;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Timestamp;
import io.memberpulse.proto.identity.v1.ChannelEvent;
import io.memberpulse.proto.identity.v1.Coupon;
import io.memberpulse.proto.identity.v1.EventType;
import io.memberpulse.proto.identity.v1.Identifiers;
import io.memberpulse.proto.identity.v1.OrderLine;
import io.memberpulse.proto.identity.v1.Profile;
import io.memberpulse.proto.identity.v1.Review;
import io.memberpulse.proto.identity.v1.Source;
import org.junit.jupiter.api.Test;

class ErasedEventsTest {
    static final ChannelEvent EVENT = ChannelEvent.newBuilder().setEventId("e-1").setSource(Source.SOURCE_MINIAPP)
            .setType(EventType.EVENT_TYPE_ORDER).setOccurredAt(Timestamp.newBuilder().setSeconds(1_700_000_000))
            .setStoreId("s-1")
            .setIdentifiers(Identifiers.newBuilder().setPhone("13800138000").setUnionId("oU-1").setOpenid("oo-1")
                    .setMemberNo("M-1").setDeviceId("dev-1").setPlatformUid("plat-uid-1").setEmail("a@example.com"))
            .setProfile(Profile.newBuilder().setName("王小明").setGender("m").setBirthDate("1990-01-01").setCity("上海")
                    .setPostcode("200000").setAddress("梧桐苑25栋1105"))
            .setLine(OrderLine.newBuilder().setOrderId("o-1").setSku("latte").setCategory("coffee/milk")
                    .setQuantity(2).setUnitPrice(14).setGrossAmount(28).setDiscountAmount(3).setPaidAmount(25)
                    .setMarginRate(0.4).setRefundAmount(0))
            .setReview(Review.newBuilder().setRating(2).setText("cold, ask for 王小明"))
            .setCoupon(Coupon.newBuilder().setCouponId("c-1").setCampaignId("camp-1").setCouponValue(5))
            .build();

    @Test
    void everyIdentifierTheProfileAndTheReviewTextGo() {
        ChannelEvent scrubbed = ErasedEvents.scrubbed(EVENT);
        assertThat(scrubbed.hasIdentifiers()).isFalse();
        assertThat(scrubbed.hasProfile()).isFalse();
        assertThat(scrubbed.getReview().getText()).isEmpty();
        String bytes = scrubbed.toByteString().toStringUtf8();
        for (String personal : new String[] {"13800138000", "oU-1", "oo-1", "M-1", "dev-1", "plat-uid-1", "a@example.com", "王小明",
                "1990-01-01", "上海", "200000", "梧桐苑", "cold"}) {
            assertThat(bytes).as(personal).doesNotContain(personal);
        }
    }

    @Test
    void theKeyTimeStoreOrderLineCouponAndRatingStayForReplaysAndTotals() {
        ChannelEvent scrubbed = ErasedEvents.scrubbed(EVENT);
        ChannelEvent expected = EVENT.toBuilder().clearIdentifiers().clearProfile()
                .setReview(Review.newBuilder().setRating(2)).build();
        assertThat(scrubbed).isEqualTo(expected);
        assertThat(scrubbed.getLine()).isEqualTo(EVENT.getLine());
        assertThat(scrubbed.getCoupon()).isEqualTo(EVENT.getCoupon());
        assertThat(scrubbed.getEventId()).isEqualTo("e-1");
        assertThat(scrubbed.getSource()).isEqualTo(Source.SOURCE_MINIAPP);
    }

    @Test
    void anEventWithoutReviewGetsNone() {
        ChannelEvent visit = ChannelEvent.newBuilder().setEventId("v").setProfile(Profile.newBuilder().setName("x")).build();
        assertThat(ErasedEvents.scrubbed(visit).hasReview()).isFalse();
        assertThat(ErasedEvents.scrubbed(visit)).isEqualTo(ChannelEvent.newBuilder().setEventId("v").build());
    }
}
