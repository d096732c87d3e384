package io.memberpulse.proto.kafka;

import com.google.protobuf.MessageLite;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

/** A Serde of one protobuf type, for tools and tests that both write and read a topic. */
public final class ProtobufSerdes {
    private ProtobufSerdes() {
    }

    @SuppressWarnings("unchecked")
    public static <T extends MessageLite> Serde<T> of(ProtobufDeserializer<T> deserializer) {
        Serializer<T> serializer = (Serializer<T>) (Serializer<?>) new ProtobufSerializer();
        return Serdes.serdeFrom(serializer, deserializer);
    }
}
