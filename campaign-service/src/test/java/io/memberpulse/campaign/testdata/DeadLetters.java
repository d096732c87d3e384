package io.memberpulse.campaign.testdata;

import io.smallrye.reactive.messaging.kafka.companion.ConsumerTask;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/** Reading a dead-letter topic in tests: the record sent there under a key, and its headers (the reason). */
public final class DeadLetters {
    private DeadLetters() {
    }

    /** The first dead-lettered record under the key (other tests dead-letter there too). */
    public static Optional<ConsumerRecord<String, byte[]>> deadLetter(ConsumerTask<String, byte[]> task, String key) {
        return task.getRecords().stream().filter(record -> key.equals(record.key())).findFirst();
    }

    /** A header's text, "" when absent (dead-letter-reason: why the record was refused). */
    public static String header(ConsumerRecord<String, byte[]> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null ? "" : new String(header.value(), StandardCharsets.UTF_8);
    }
}
