package io.memberpulse.rfm.stream.in;

import io.memberpulse.proto.churn.v1.ChurnScored;
import io.memberpulse.rfm.RecordChurnRiskService;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.KafkaRecord;
import io.smallrye.reactive.messaging.kafka.KafkaRecordBatch;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/** churn.scores in batches, for the risk tags; unreadable records go alone to churn.scores.dlq. */
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
        List<ChurnScored> scores = new ArrayList<>();
        List<KafkaRecord<String, ChurnScored>> unreadable = new ArrayList<>();
        for (KafkaRecord<String, ChurnScored> record : batch) {
            if (record.getPayload() == null) {
                unreadable.add(record);
            } else {
                scores.add(record.getPayload());
            }
        }
        return Uni.createFrom().deferred(() -> service.record(scores))
                .onFailure().retry().withBackOff(Duration.ofMillis(500), Duration.ofSeconds(10)).atMost(5)
                .onItemOrFailure().transformToUni((ignored, failure) -> {
                    if (failure != null) {
                        LOG.errorf(failure, "batch of %d churn scores not recorded, dead-lettered", batch.getRecords().size());
                        return Uni.createFrom().completionStage(batch.nack(failure));
                    }
                    Uni<Void> sent = Uni.createFrom().voidItem();
                    for (KafkaRecord<String, ChurnScored> record : unreadable) {
                        sent = sent.chain(() -> Uni.createFrom().completionStage(
                                record.nack(new IllegalArgumentException("not a ChurnScored"))));
                    }
                    return sent.chain(() -> Uni.createFrom().completionStage(batch.ack()));
                });
    }
}
