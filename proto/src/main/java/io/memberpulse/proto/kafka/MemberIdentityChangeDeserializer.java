package io.memberpulse.proto.kafka;

import io.memberpulse.proto.identity.v1.MemberIdentityChange;

public class MemberIdentityChangeDeserializer extends ProtobufDeserializer<MemberIdentityChange> {
    public MemberIdentityChangeDeserializer() {
        super(MemberIdentityChange.parser());
    }
}
