package io.memberpulse.campaign.stream.in;

import io.memberpulse.proto.churn.v1.ChurnScored;
import io.smallrye.common.annotation.Identifier;
import io.smallrye.reactive.messaging.kafka.DeserializationFailureHandler;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Lets a churn.scores record that is not valid protobuf through as a null payload, its bytes kept
 * in the failure headers (the interface's defaults), so the consumer can dead-letter that one record
 * with its original bytes instead of failing the whole channel.
 */
@ApplicationScoped
@Identifier(UnreadableChurnScores.NAME)
class UnreadableChurnScores implements DeserializationFailureHandler<ChurnScored> {
    static final String NAME = "unreadable-churn-scores";
}
