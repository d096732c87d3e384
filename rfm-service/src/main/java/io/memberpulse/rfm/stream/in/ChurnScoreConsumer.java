package io.memberpulse.rfm.stream.in;

import io.memberpulse.proto.kafka.RecordBatches;
import io.memberpulse.proto.churn.v1.ChurnScored;
import io.memberpulse.rfm.RecordChurnRiskService;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.KafkaRecordBatch;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * churn.scores in batches, for the risk tags; a tombstone (key = member id, no value) withdraws the member's score; a
 * score without member or time, or not a probability, is dead-lettered.
 */
@ApplicationScoped
class ChurnScoreConsumer {
    static final String CHANNEL = "churn-scores";
    private static final Logger LOG = Logger.getLogger(ChurnScoreConsumer.class);

    private final RecordChurnRiskService service;

    ChurnScoreConsumer(RecordChurnRiskService service) {
        this.service = service;
    }

    @Incoming(CHANNEL)
    Uni<Void> consume(KafkaRecordBatch<String, ChurnScored> batch) {
        return RecordBatches.consumeMapped(batch, RecordChurnRiskService.ChurnScoreRecord::scored,
                RecordChurnRiskService.ChurnScoreRecord::withdrawn, service::record, LOG, "churn score");
    }
}
