package io.memberpulse.rfm.stream.in;

import io.memberpulse.proto.identity.v1.MemberIdentityChange;
import io.smallrye.common.annotation.Identifier;
import io.smallrye.reactive.messaging.kafka.DeserializationFailureHandler;
import jakarta.enterprise.context.ApplicationScoped;

/** Lets a member.merges record that is not valid protobuf through as a null payload, to be dead-lettered alone. */
@ApplicationScoped
@Identifier(UnreadableIdentityChanges.NAME)
class UnreadableIdentityChanges implements DeserializationFailureHandler<MemberIdentityChange> {
    static final String NAME = "unreadable-identity-changes";
}
