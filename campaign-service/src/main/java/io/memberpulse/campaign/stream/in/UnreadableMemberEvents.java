package io.memberpulse.campaign.stream.in;

import io.memberpulse.proto.identity.v1.MemberEvent;
import io.smallrye.common.annotation.Identifier;
import io.smallrye.reactive.messaging.kafka.DeserializationFailureHandler;
import jakarta.enterprise.context.ApplicationScoped;

/** Lets an unreadable member.events record through as a null payload, so it alone is dead-lettered. */
@ApplicationScoped
@Identifier(UnreadableMemberEvents.NAME)
class UnreadableMemberEvents implements DeserializationFailureHandler<MemberEvent> {
    static final String NAME = "unreadable-member-events";
}
