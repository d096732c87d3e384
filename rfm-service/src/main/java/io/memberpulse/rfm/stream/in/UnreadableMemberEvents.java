package io.memberpulse.rfm.stream.in;

import io.memberpulse.proto.identity.v1.MemberEvent;
import io.smallrye.common.annotation.Identifier;
import io.smallrye.reactive.messaging.kafka.DeserializationFailureHandler;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Lets a member.events record that is not valid protobuf through as a null payload (its bytes kept
 * in the failure headers), so the consumer dead-letters that one record instead of failing the channel.
 */
@ApplicationScoped
@Identifier(UnreadableMemberEvents.NAME)
class UnreadableMemberEvents implements DeserializationFailureHandler<MemberEvent> {
    static final String NAME = "unreadable-member-events";
}
