package io.memberpulse.campaign.stream.in;

import io.memberpulse.proto.kafka.RecordBatches;
import io.memberpulse.campaign.RecordSegmentsService;
import io.memberpulse.proto.segments.v1.SegmentChanged;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.KafkaRecordBatch;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * member.segments in batches: members' current segments, for the next-target recommendation and the segment rules.
 * A change without a member, segment, kind or time goes alone to the dead-letter topic.
 * A change under a member a merge absorbed (member.merges) is skipped (RecordSegmentsService).
 */
@ApplicationScoped
class SegmentChangeConsumer {
    static final String CHANNEL = "member-segments";
    private static final Logger LOG = Logger.getLogger(SegmentChangeConsumer.class);

    private final RecordSegmentsService service;

    SegmentChangeConsumer(RecordSegmentsService service) {
        this.service = service;
    }

    @Incoming(CHANNEL)
    Uni<Void> consume(KafkaRecordBatch<String, SegmentChanged> batch) {
        return RecordBatches.consume(batch, RecordSegmentsService::problemOf, service::record, LOG, "segment change");
    }
}
