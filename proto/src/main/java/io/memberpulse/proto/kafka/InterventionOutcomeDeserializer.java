package io.memberpulse.proto.kafka;

import io.memberpulse.proto.campaign.v1.InterventionOutcome;

public class InterventionOutcomeDeserializer extends ProtobufDeserializer<InterventionOutcome> {
    public InterventionOutcomeDeserializer() {
        super(InterventionOutcome.parser());
    }
}
