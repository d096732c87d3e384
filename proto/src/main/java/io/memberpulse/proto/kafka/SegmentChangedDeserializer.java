package io.memberpulse.proto.kafka;

import io.memberpulse.proto.segments.v1.SegmentChanged;

public class SegmentChangedDeserializer extends ProtobufDeserializer<SegmentChanged> {
    public SegmentChangedDeserializer() {
        super(SegmentChanged.parser());
    }
}
