package io.memberpulse.churn.stream.in;

import io.memberpulse.proto.identity.v1.MemberEvent;
import io.memberpulse.churn.ScoreMembersService;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.smallrye.reactive.messaging.kafka.KafkaRecord;
import io.smallrye.reactive.messaging.kafka.KafkaRecordBatch;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * member.events, a batch at a time, in order. A record that is not a MemberEvent goes to
 * member.events.dlq alone; a failure of the database or Redis is retried with backoff (recording is
 * idempotent on source + event_id) and only a batch that keeps failing is dead-lettered.
 */
@ApplicationScoped
class MemberEventConsumer {
    static final String CHANNEL = "member-events";
    private static final Logger LOG = Logger.getLogger(MemberEventConsumer.class);
    private static final int RETRIES = 5;

    private final ScoreMembersService service;

    MemberEventConsumer(ScoreMembersService service) {
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
        return Uni.createFrom().item(() -> {
                    service.record(events);
                    return events.size();
                })
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                .onFailure().retry().withBackOff(Duration.ofMillis(500), Duration.ofSeconds(10)).atMost(RETRIES)
                .onItemOrFailure().transformToUni((ignored, failure) -> {
                    if (failure != null) {
                        LOG.errorf(failure, "batch of %d member events not recorded after %d retries, dead-lettered",
                                batch.getRecords().size(), RETRIES);
                        return Uni.createFrom().completionStage(batch.nack(failure));
                    }
                    Uni<Void> sent = Uni.createFrom().voidItem();
                    for (KafkaRecord<String, MemberEvent> record : unreadable) {
                        LOG.warnf("unreadable record of key %s on %s-%d dead-lettered", record.getKey(),
                                record.getTopic(), record.getPartition());
                        sent = sent.chain(() -> Uni.createFrom().completionStage(
                                record.nack(new IllegalArgumentException("not a MemberEvent"))));
                    }
                    return sent.chain(() -> Uni.createFrom().completionStage(batch.ack()));
                });
    }
}
