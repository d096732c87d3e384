package io.memberpulse.identity.api.kafka;

import io.memberpulse.proto.identity.v1.ChannelEvent;
import io.smallrye.common.annotation.Identifier;
import io.smallrye.reactive.messaging.kafka.DeserializationFailureHandler;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Lets a channel.events record that is not valid protobuf through as a null payload (its bytes kept
 * in the failure headers), so the consumer dead-letters that one record instead of failing the channel.
 */
@ApplicationScoped
@Identifier(UnreadableChannelEvents.NAME)
class UnreadableChannelEvents implements DeserializationFailureHandler<ChannelEvent> {
    static final String NAME = "unreadable-channel-events";
}
