package io.memberpulse.proto.kafka;

import com.google.protobuf.MessageLite;
import org.apache.kafka.common.serialization.Serializer;

/** Writes any protobuf message in its binary wire form. */
public class ProtobufSerializer implements Serializer<MessageLite> {
    @Override
    public byte[] serialize(String topic, MessageLite message) {
        return message == null ? null : message.toByteArray();
    }
}
