package io.memberpulse.campaign.stream.in;

import io.memberpulse.proto.kafka.RecordBatches;
import io.memberpulse.campaign.RecordIdentityChangesService;
import io.memberpulse.campaign.RecordSegmentsService;
import io.memberpulse.proto.segments.v1.SegmentChanged;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.KafkaRecordBatch;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * member.segments in batches: members' current segments, for the next-target recommendation. A change under a
 * member a merge absorbed (member.merges) is skipped: rfm-service re-keys the absorbed member's facts itself and
 * publishes the survivor's own entries, and the absorbed member's exits (its segments emptying) must not take
 * the survivor out of them.
 */
@ApplicationScoped
class SegmentChangeConsumer {
    static final String CHANNEL = "member-segments";
    private static final Logger LOG = Logger.getLogger(SegmentChangeConsumer.class);

    private final RecordSegmentsService service;
    private final RecordIdentityChangesService identities;

    SegmentChangeConsumer(RecordSegmentsService service, RecordIdentityChangesService identities) {
        this.service = service;
        this.identities = identities;
    }

    @Incoming(CHANNEL)
    Uni<Void> consume(KafkaRecordBatch<String, SegmentChanged> batch) {
        return RecordBatches.consume(batch, changes -> identities
                .survivorsOf(changes.stream().map(SegmentChanged::getMemberId).filter(id -> !id.isEmpty()).toList())
                .chain(absorbed -> service.record(absorbed.isEmpty() ? changes
                        : changes.stream().filter(change -> !absorbed.containsKey(change.getMemberId())).toList())),
                LOG, "segment change");
    }
}
