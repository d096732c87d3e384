package io.memberpulse.campaign.stream.in;

import io.memberpulse.proto.identity.v1.MemberIdentityChange;
import io.smallrye.common.annotation.Identifier;
import io.smallrye.reactive.messaging.kafka.DeserializationFailureHandler;
import jakarta.enterprise.context.ApplicationScoped;

/** As UnreadableMemberEvents, for member.merges: a record that is not protobuf arrives as null. */
@ApplicationScoped
@Identifier(UnreadableIdentityChanges.NAME)
class UnreadableIdentityChanges implements DeserializationFailureHandler<MemberIdentityChange> {
    static final String NAME = "unreadable-identity-changes";
}
