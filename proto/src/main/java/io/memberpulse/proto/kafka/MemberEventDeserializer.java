package io.memberpulse.proto.kafka;

import io.memberpulse.proto.identity.v1.MemberEvent;

public class MemberEventDeserializer extends ProtobufDeserializer<MemberEvent> {
    public MemberEventDeserializer() {
        super(MemberEvent.parser());
    }
}
