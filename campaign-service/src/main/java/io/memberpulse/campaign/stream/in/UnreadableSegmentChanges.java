package io.memberpulse.campaign.stream.in;

import io.memberpulse.proto.segments.v1.SegmentChanged;
import io.smallrye.common.annotation.Identifier;
import io.smallrye.reactive.messaging.kafka.DeserializationFailureHandler;
import jakarta.enterprise.context.ApplicationScoped;

/** Lets an unreadable member.segments record through as a null payload, so it alone is dead-lettered. */
@ApplicationScoped
@Identifier(UnreadableSegmentChanges.NAME)
class UnreadableSegmentChanges implements DeserializationFailureHandler<SegmentChanged> {
    static final String NAME = "unreadable-segment-changes";
}
