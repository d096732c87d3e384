package io.memberpulse.churn.stream.in;

import io.memberpulse.proto.kafka.RecordBatches;
import io.memberpulse.churn.RecordOutcomesService;
import io.memberpulse.proto.campaign.v1.InterventionOutcome;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.KafkaRecordBatch;
import jakarta.enterprise.context.ApplicationScoped;
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

    private final RecordOutcomesService service;

    InterventionOutcomeConsumer(RecordOutcomesService service) {
        this.service = service;
    }

    @Incoming(CHANNEL)
    Uni<Void> consume(KafkaRecordBatch<String, InterventionOutcome> batch) {
        return RecordBatches.consume(batch, RecordOutcomesService::problemOf,
                RecordBatches.onWorkerThread(service::record), LOG, "intervention outcome");
    }
}
