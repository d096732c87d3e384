package io.memberpulse.proto.kafka;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageLite;
import com.google.protobuf.Parser;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Reads one protobuf message type. A record that does not parse is an error (never an empty
 * message), so the consumer's failure strategy sends it to the dead-letter topic.
 */
public abstract class ProtobufDeserializer<T extends MessageLite> implements Deserializer<T> {
    private final Parser<T> parser;

    protected ProtobufDeserializer(Parser<T> parser) {
        this.parser = parser;
    }

    @Override
    public T deserialize(String topic, byte[] data) {
        if (data == null) {
            return null;
        }
        try {
            return parser.parseFrom(data);
        } catch (InvalidProtocolBufferException e) {
            throw new SerializationException("record on " + topic + " is not a valid protobuf message: " + e.getMessage(), e);
        }
    }
}
