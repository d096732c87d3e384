package io.memberpulse.churn.stream.in;

import io.memberpulse.churn.RecordOutcomesService;
import io.memberpulse.proto.campaign.v1.InterventionOutcome;
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
 * intervention.outcomes, a batch at a time. A record that is not an InterventionOutcome, or lacks
 * its task, member or time, goes to intervention.outcomes.dlq alone; recording is idempotent per task.
 */
@ApplicationScoped
class InterventionOutcomeConsumer {
    static final String CHANNEL = "intervention-outcomes";
    private static final Logger LOG = Logger.getLogger(InterventionOutcomeConsumer.class);
    private static final int RETRIES = 5;

    private final RecordOutcomesService service;

    InterventionOutcomeConsumer(RecordOutcomesService service) {
        this.service = service;
    }

    @Incoming(CHANNEL)
    Uni<Void> consume(KafkaRecordBatch<String, InterventionOutcome> batch) {
        List<InterventionOutcome> usable = new ArrayList<>();
        List<KafkaRecord<String, InterventionOutcome>> poison = new ArrayList<>();
        List<String> reasons = new ArrayList<>();
        for (KafkaRecord<String, InterventionOutcome> record : batch) {
            String problem = record.getPayload() == null ? "not an InterventionOutcome"
                    : RecordOutcomesService.problemOf(record.getPayload());
            if (problem == null) {
                usable.add(record.getPayload());
            } else {
                poison.add(record);
                reasons.add(problem);
            }
        }
        return Uni.createFrom().item(() -> {
                    service.record(usable);
                    return usable.size();
                })
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                .onFailure().retry().withBackOff(Duration.ofMillis(500), Duration.ofSeconds(10)).atMost(RETRIES)
                .onItemOrFailure().transformToUni((ignored, failure) -> {
                    if (failure != null) {
                        LOG.errorf(failure, "batch of %d intervention outcomes not recorded after %d retries, "
                                + "dead-lettered", batch.getRecords().size(), RETRIES);
                        return Uni.createFrom().completionStage(batch.nack(failure));
                    }
                    Uni<Void> sent = Uni.createFrom().voidItem();
                    for (int i = 0; i < poison.size(); i++) {
                        KafkaRecord<String, InterventionOutcome> record = poison.get(i);
                        String reason = reasons.get(i);
                        LOG.warnf("intervention outcome of key %s dead-lettered: %s", record.getKey(), reason);
                        sent = sent.chain(() -> Uni.createFrom().completionStage(
                                record.nack(new IllegalArgumentException(reason))));
                    }
                    return sent.chain(() -> Uni.createFrom().completionStage(batch.ack()));
                });
    }
}
