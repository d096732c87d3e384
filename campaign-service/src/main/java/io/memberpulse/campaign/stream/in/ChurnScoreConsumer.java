package io.memberpulse.campaign.stream.in;

import io.memberpulse.campaign.RecordChurnScoresService;
import io.memberpulse.campaign.domain.MemberRisk;
import io.memberpulse.proto.churn.v1.ChurnScored;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.KafkaRecord;
import io.smallrye.reactive.messaging.kafka.KafkaRecordBatch;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * churn.scores (key = member id) in batches. Records that break a rule are dead-lettered one by one;
 * the rest are recorded together. Recording is idempotent, so retries and redelivery are safe. A score
 * still arriving under a member a merge absorbed (member.merges) is recorded for its final survivor
 * (RecordChurnScoresService looks it up in the transaction that stores the score).
 */
@ApplicationScoped
class ChurnScoreConsumer {
    static final String CHANNEL = "churn-scores";
    private static final Logger LOG = Logger.getLogger(ChurnScoreConsumer.class);
    /** Another consumer replanning the same store may win a race (unique index, deadlock): try again. */
    private static final int RETRIES = 2;

    private final RecordChurnScoresService service;

    ChurnScoreConsumer(RecordChurnScoresService service) {
        this.service = service;
    }

    private record Rejected(KafkaRecord<String, ChurnScored> record, RuntimeException reason) {
    }

    @Incoming(CHANNEL)
    Uni<Void> consume(KafkaRecordBatch<String, ChurnScored> batch) {
        List<MemberRisk> scores = new ArrayList<>();
        List<Rejected> rejected = new ArrayList<>();
        for (KafkaRecord<String, ChurnScored> record : batch) {
            try {
                scores.add(ChurnScoredMapper.toDomain(record.getPayload()));
            } catch (RuntimeException e) {
                rejected.add(new Rejected(record, e));
            }
        }
        return Uni.createFrom().deferred(() -> service.record(scores))
                .onFailure().retry().atMost(RETRIES)
                .onItemOrFailure().transformToUni((ignored, failure) -> failure == null
                        ? deadLetter(rejected).chain(() -> Uni.createFrom().completionStage(batch.ack()))
                        : nackAll(batch, failure));
    }

    private static Uni<Void> deadLetter(List<Rejected> rejected) {
        Uni<Void> sent = Uni.createFrom().voidItem();
        for (Rejected one : rejected) {
            LOG.warnf("churn score of member %s (%s-%d) dead-lettered: %s", one.record().getKey(),
                    one.record().getTopic(), one.record().getPartition(), one.reason().getMessage());
            sent = sent.chain(() -> Uni.createFrom().completionStage(one.record().nack(one.reason())));
        }
        return sent;
    }

    private static Uni<Void> nackAll(KafkaRecordBatch<String, ChurnScored> batch, Throwable failure) {
        LOG.errorf(failure, "batch of %d churn scores not recorded, dead-lettered", batch.getRecords().size());
        return Uni.createFrom().completionStage(batch.nack(failure));
    }
}
