package io.memberpulse.campaign.stream.in;

import io.memberpulse.campaign.RecordSegmentsService;
import io.memberpulse.proto.segments.v1.SegmentChanged;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.KafkaRecord;
import io.smallrye.reactive.messaging.kafka.KafkaRecordBatch;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * member.segments in batches, for the next-target recommendation. Unreadable records go alone to member.segments.dlq;
 * storage failures are retried (inserts are idempotent) before a batch is dead-lettered.
 */
@ApplicationScoped
class SegmentChangeConsumer {
    static final String CHANNEL = "member-segments";
    private static final Logger LOG = Logger.getLogger(SegmentChangeConsumer.class);
    private static final int RETRIES = 5;

    private final RecordSegmentsService service;

    SegmentChangeConsumer(RecordSegmentsService service) {
        this.service = service;
    }

    @Incoming(CHANNEL)
    Uni<Void> consume(KafkaRecordBatch<String, SegmentChanged> batch) {
        List<SegmentChanged> events = new ArrayList<>();
        List<KafkaRecord<String, SegmentChanged>> unreadable = new ArrayList<>();
        for (KafkaRecord<String, SegmentChanged> record : batch) {
            if (record.getPayload() == null) {
                unreadable.add(record);
            } else {
                events.add(record.getPayload());
            }
        }
        return Uni.createFrom().deferred(() -> service.record(events))
                .onFailure().retry().withBackOff(Duration.ofMillis(500), Duration.ofSeconds(10)).atMost(RETRIES)
                .onItemOrFailure().transformToUni((ignored, failure) -> {
                    if (failure != null) {
                        LOG.errorf(failure, "batch of %d segment changes not recorded, dead-lettered", batch.getRecords().size());
                        return Uni.createFrom().completionStage(batch.nack(failure));
                    }
                    Uni<Void> sent = Uni.createFrom().voidItem();
                    for (KafkaRecord<String, SegmentChanged> record : unreadable) {
                        LOG.warnf("unreadable segment change of key %s dead-lettered", record.getKey());
                        sent = sent.chain(() -> Uni.createFrom().completionStage(
                                record.nack(new IllegalArgumentException("not a SegmentChanged"))));
                    }
                    return sent.chain(() -> Uni.createFrom().completionStage(batch.ack()));
                });
    }
}
