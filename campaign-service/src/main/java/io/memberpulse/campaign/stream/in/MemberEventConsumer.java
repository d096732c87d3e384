package io.memberpulse.campaign.stream.in;

import io.memberpulse.proto.kafka.RecordBatches;
import io.memberpulse.campaign.RecordPurchasesService;
import io.memberpulse.proto.identity.v1.MemberEvent;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.KafkaRecordBatch;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * member.events in batches: members' purchases, for campaign reviews. An event a MemberSplit gave to one of its
 * parts, or still arriving under a member a merge absorbed (member.merges), is recorded for that part or final
 * survivor (RecordPurchasesService).
 */
@ApplicationScoped
class MemberEventConsumer {
    static final String CHANNEL = "member-events";
    private static final Logger LOG = Logger.getLogger(MemberEventConsumer.class);

    private final RecordPurchasesService service;

    MemberEventConsumer(RecordPurchasesService service) {
        this.service = service;
    }

    @Incoming(CHANNEL)
    Uni<Void> consume(KafkaRecordBatch<String, MemberEvent> batch) {
        return RecordBatches.consume(batch, service::record, LOG, "member event");
    }
}
