package io.memberpulse.proto.kafka;

import io.memberpulse.proto.churn.v1.ChurnScored;

public class ChurnScoredDeserializer extends ProtobufDeserializer<ChurnScored> {
    public ChurnScoredDeserializer() {
        super(ChurnScored.parser());
    }
}
