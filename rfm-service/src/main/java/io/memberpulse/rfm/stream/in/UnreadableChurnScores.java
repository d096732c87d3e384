package io.memberpulse.rfm.stream.in;

import io.memberpulse.proto.churn.v1.ChurnScored;
import io.smallrye.common.annotation.Identifier;
import io.smallrye.reactive.messaging.kafka.DeserializationFailureHandler;
import jakarta.enterprise.context.ApplicationScoped;

/** Lets an unreadable churn.scores record through as a null payload, so it alone is dead-lettered. */
@ApplicationScoped
@Identifier(UnreadableChurnScores.NAME)
class UnreadableChurnScores implements DeserializationFailureHandler<ChurnScored> {
    static final String NAME = "unreadable-churn-scores";
}
