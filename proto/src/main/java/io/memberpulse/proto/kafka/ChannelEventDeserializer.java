package io.memberpulse.proto.kafka;

import io.memberpulse.proto.identity.v1.ChannelEvent;

public class ChannelEventDeserializer extends ProtobufDeserializer<ChannelEvent> {
    public ChannelEventDeserializer() {
        super(ChannelEvent.parser());
    }
}
