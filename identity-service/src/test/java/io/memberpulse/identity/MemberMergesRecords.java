package io.memberpulse.identity;

import io.memberpulse.proto.identity.v1.MemberIdentityChange;
import io.smallrye.reactive.messaging.kafka.companion.ConsumerTask;
import java.time.Duration;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** Waiting for what the service publishes on member.merges, which other tests publish on too. */
public final class MemberMergesRecords {
    private MemberMergesRecords() {
    }

    /** The first record on member.merges that matches, within 30 s. */
    public static ConsumerRecord<String, MemberIdentityChange> awaitChange(
            ConsumerTask<String, MemberIdentityChange> changes, Predicate<ConsumerRecord<String, MemberIdentityChange>> wanted)
            throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            var found = changes.getRecords().stream().filter(wanted).findFirst();
            if (found.isPresent()) {
                return found.get();
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no such record on member.merges within 30 s");
    }
}
