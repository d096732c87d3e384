package io.memberpulse.churn.stream.in;

import io.memberpulse.proto.campaign.v1.InterventionOutcome;
import io.smallrye.common.annotation.Identifier;
import io.smallrye.reactive.messaging.kafka.DeserializationFailureHandler;
import jakarta.enterprise.context.ApplicationScoped;

/** As UnreadableMemberEvents, for intervention.outcomes: a record that is not protobuf arrives as null. */
@ApplicationScoped
@Identifier(UnreadableOutcomes.NAME)
class UnreadableOutcomes implements DeserializationFailureHandler<InterventionOutcome> {
    static final String NAME = "unreadable-intervention-outcomes";
}
