package io.memberpulse.identity;

import io.memberpulse.identity.domain.EventEvidence;
import io.memberpulse.identity.domain.EventKeys;
import io.memberpulse.identity.domain.Identifier;
import io.memberpulse.identity.domain.IdentifierNormalizer;
import io.memberpulse.identity.domain.RawIdentifiers;
import io.memberpulse.proto.identity.v1.ChannelEvent;
import java.util.List;

/** A channel event as the stitcher's evidence: normalised identifiers and profile hints. */
final class EventEvidenceMapper {
    private EventEvidenceMapper() {
    }

    static List<Identifier> identifiers(IdentifierNormalizer normalizer, ChannelEvent event) {
        var ids = event.getIdentifiers();
        return normalizer.normalize(new RawIdentifiers(ids.getPhone(), ids.getUnionId(), ids.getOpenid(),
                ids.getMemberNo(), ids.getDeviceId(), ids.getPlatformUid(), ids.getEmail()));
    }

    /** "source:event_id", the key merges and duplicate orders name events by. */
    static String key(ChannelEvent event) {
        return EventKeys.event(EventCodes.sourceCode(event), event.getEventId());
    }

    static EventEvidence evidence(int index, ChannelEvent event, List<Identifier> identifiers, String sameOrderAs) {
        var profile = event.getProfile();
        String orderId = event.getLine().getOrderId();
        String orderKey = orderId.isBlank() ? null : EventKeys.order(EventCodes.sourceCode(event), orderId);
        return EventEvidence.of(index, key(event), identifiers, EventCodes.instant(event.getOccurredAt()),
                event.getStoreId(), profile.getName(), profile.getAddress(), profile.getCity(), sameOrderAs, orderKey,
                event.getCoupon().getCouponId());
    }
}
