package io.memberpulse.campaign.stream.in;

import io.memberpulse.campaign.RecordPurchasesService;
import io.memberpulse.proto.identity.v1.MemberEvent;
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
 * member.events in batches, for campaign reviews. Unreadable records go alone to member.events.dlq;
 * storage failures are retried (inserts are idempotent) before a batch is dead-lettered.
 */
@ApplicationScoped
class MemberEventConsumer {
    static final String CHANNEL = "member-events";
    private static final Logger LOG = Logger.getLogger(MemberEventConsumer.class);
    private static final int RETRIES = 5;

    private final RecordPurchasesService service;

    MemberEventConsumer(RecordPurchasesService service) {
        this.service = service;
    }

    @Incoming(CHANNEL)
    Uni<Void> consume(KafkaRecordBatch<String, MemberEvent> batch) {
        List<MemberEvent> events = new ArrayList<>();
        List<KafkaRecord<String, MemberEvent>> unreadable = new ArrayList<>();
        for (KafkaRecord<String, MemberEvent> record : batch) {
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
                        LOG.errorf(failure, "batch of %d member events not recorded, dead-lettered", batch.getRecords().size());
                        return Uni.createFrom().completionStage(batch.nack(failure));
                    }
                    Uni<Void> sent = Uni.createFrom().voidItem();
                    for (KafkaRecord<String, MemberEvent> record : unreadable) {
                        LOG.warnf("unreadable member event of key %s dead-lettered", record.getKey());
                        sent = sent.chain(() -> Uni.createFrom().completionStage(
                                record.nack(new IllegalArgumentException("not a MemberEvent"))));
                    }
                    return sent.chain(() -> Uni.createFrom().completionStage(batch.ack()));
                });
    }
}
