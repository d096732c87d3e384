package io.memberpulse.campaign.stream.in;

import io.memberpulse.campaign.RecordChurnScoresService;
import io.memberpulse.proto.churn.v1.ChurnScored;
import io.memberpulse.proto.kafka.RecordBatches;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.KafkaRecordBatch;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * churn.scores (key = member id; a tombstone withdraws the member's score) in batches, as every consumer takes its batches (RecordBatches): records that break
 * a rule are dead-lettered one by one, the rest recorded together, a failure (a deadlock with another consumer
 * replanning the same store, a database failover) retried with backoff before the batch is given up. Recording is
 * idempotent, so retries and redelivery are safe. A score still arriving under a member a merge absorbed
 * (member.merges) is recorded for its final survivor (RecordChurnScoresService looks it up in the transaction that
 * stores the score). Each record is mapped once: a mapping that throws names the rule it breaks.
 */
@ApplicationScoped
class ChurnScoreConsumer {
    static final String CHANNEL = "churn-scores";
    private static final Logger LOG = Logger.getLogger(ChurnScoreConsumer.class);

    private final RecordChurnScoresService service;

    ChurnScoreConsumer(RecordChurnScoresService service) {
        this.service = service;
    }

    @Incoming(CHANNEL)
    Uni<Void> consume(KafkaRecordBatch<String, ChurnScored> batch) {
        return RecordBatches.consumeMapped(batch, ChurnScoredMapper::toDomain, ChurnScoredMapper::withdrawal,
                service::record, LOG, "churn score");
    }
}
