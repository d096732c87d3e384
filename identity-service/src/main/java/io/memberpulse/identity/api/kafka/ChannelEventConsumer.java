package io.memberpulse.identity.api.kafka;

import io.memberpulse.identity.NotWriterException;
import io.memberpulse.identity.api.EventIntake;
import io.memberpulse.identity.api.FieldError;
import io.memberpulse.proto.identity.v1.ChannelEvent;
import io.memberpulse.proto.kafka.RecordBatches;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.smallrye.reactive.messaging.kafka.KafkaRecord;
import io.smallrye.reactive.messaging.kafka.KafkaRecordBatch;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Imports channel.events, a poll at a time, through the same intake as REST and gRPC (so the same
 * rules and the same idempotency on source + event_id). A record that is not a ChannelEvent, or that
 * breaks a rule, goes alone to channel.events.dlq with the reason in its dead-letter-reason header;
 * its neighbours are imported. It sits with the other import transports in api (not stream.in)
 * because it is one: it shares their intake and rules.
 */
@ApplicationScoped
class ChannelEventConsumer {
    static final String CHANNEL = "channel-events";
    private static final Logger LOG = Logger.getLogger(ChannelEventConsumer.class);

    private final EventIntake intake;

    ChannelEventConsumer(EventIntake intake) {
        this.intake = intake;
    }

    /** A record refused, and why. */
    record Refused(KafkaRecord<String, ChannelEvent> record, String reason) {
    }

    @Incoming(CHANNEL)
    Uni<Void> consume(KafkaRecordBatch<String, ChannelEvent> batch) {
        // The intake blocks (batched SQL, imports one at a time): keep it off the event loop. A storage
        // failure is retried (imports are idempotent); only a batch that keeps failing is dead-lettered.
        return retriedAsWriter(Uni.createFrom().item(() -> importBatch(batch))
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool()), RecordBatches.RETRY_FOR)
                .onItemOrFailure().transformToUni((refused, failure) -> {
                    if (failure != null) {
                        LOG.errorf(failure, "batch of %d channel events not imported after retrying for %s as the writer,"
                                + " dead-lettered", batch.getRecords().size(), RecordBatches.RETRY_FOR);
                        return Uni.createFrom().completionStage(batch.nack(failure));
                    }
                    Uni<Void> sent = Uni.createFrom().voidItem();
                    for (Refused one : refused) {
                        sent = sent.chain(() -> Uni.createFrom().completionStage(
                                one.record().nack(new InvalidChannelEventException(one.reason()))));
                    }
                    return sent.chain(() -> Uni.createFrom().completionStage(batch.ack()));
                });
    }

    /**
     * The import of a poll as retried: a standby instance waits, without end, to become the writer rather than
     * dead-letter what the writer imports; any other failure is retried for {@code retryFor} from when this instance
     * is the writer. Each wait to be the writer subscribes to the retried import again, so it starts a new window: an
     * outage longer than the window (a standby, or PostgreSQL away and the writer lock lost) must not leave the first
     * failure after it (a transient one, or a batch refused because one queued before it failed) without retries,
     * dead-lettering up to a whole poll of valid events.
     */
    static <T> Uni<T> retriedAsWriter(Uni<T> work, Duration retryFor) {
        return RecordBatches.retried(work, failure -> !(failure instanceof NotWriterException), retryFor)
                .onFailure(NotWriterException.class).retry()
                .withBackOff(Duration.ofSeconds(1), Duration.ofSeconds(30)).indefinitely();
    }

    private List<Refused> importBatch(KafkaRecordBatch<String, ChannelEvent> batch) {
        EventIntake.Session session = intake.open();
        List<Refused> refused = new ArrayList<>();
        long position = 0;
        for (KafkaRecord<String, ChannelEvent> record : batch) {
            position++;
            if (record.getPayload() == null) {
                refused.add(new Refused(record, "value: not a readable ChannelEvent (protobuf)"));
                continue;
            }
            List<FieldError> errors = session.offerEvent(position, record.getPayload());
            if (!errors.isEmpty()) {
                refused.add(new Refused(record, errors.stream().map(FieldError::toString).collect(Collectors.joining("; "))));
            }
        }
        EventIntake.Summary summary = session.finish();
        if (!refused.isEmpty() || summary.duplicates() > 0) {
            LOG.infof("channel.events: %d imported, %d already known, %d dead-lettered",
                    summary.accepted(), summary.duplicates(), refused.size());
        }
        if (summary.changed() > 0) {
            // nobody answers a Kafka producer: the log and memberpulse_identity_events_resent_changed_total tell
            LOG.warnf("channel.events: %d events sent again with other content than first imported, not taken: %s",
                    summary.changed(), summary.changedEvents());
        }
        return refused;
    }
}
