package io.memberpulse.churn.stream.in;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.smallrye.reactive.messaging.kafka.KafkaRecord;
import io.smallrye.reactive.messaging.kafka.KafkaRecordBatch;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * How this service consumes a batch of facts: a record that is unreadable (a null payload from the
 * deserialization-failure handler) or unusable (a reason from {@code problemOf}) goes alone to the
 * dead-letter topic with that reason; the rest are recorded on a worker thread, storage failures
 * retried with backoff (recording is idempotent) and only a batch that keeps failing is dead-lettered.
 */
final class RecordBatches {
    private static final int RETRIES = 5;

    private RecordBatches() {
    }

    static <T> Uni<Void> consume(KafkaRecordBatch<String, T> batch, Function<T, String> problemOf,
            Consumer<List<T>> record, Logger log, String what) {
        List<T> usable = new ArrayList<>();
        List<KafkaRecord<String, T>> poison = new ArrayList<>();
        List<String> reasons = new ArrayList<>();
        for (KafkaRecord<String, T> one : batch) {
            String problem = one.getPayload() == null ? "not a readable " + what : problemOf.apply(one.getPayload());
            if (problem == null) {
                usable.add(one.getPayload());
            } else {
                poison.add(one);
                reasons.add(problem);
            }
        }
        return Uni.createFrom().item(() -> {
                    record.accept(usable);
                    return usable.size();
                })
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                .onFailure().retry().withBackOff(Duration.ofMillis(500), Duration.ofSeconds(10)).atMost(RETRIES)
                .onItemOrFailure().transformToUni((ignored, failure) -> {
                    if (failure != null) {
                        log.errorf(failure, "batch of %d %s records not recorded after %d retries, dead-lettered",
                                batch.getRecords().size(), what, RETRIES);
                        return Uni.createFrom().completionStage(batch.nack(failure));
                    }
                    Uni<Void> sent = Uni.createFrom().voidItem();
                    for (int i = 0; i < poison.size(); i++) {
                        KafkaRecord<String, T> one = poison.get(i);
                        String reason = reasons.get(i);
                        log.warnf("%s record of key %s on %s-%d dead-lettered: %s", what, one.getKey(), one.getTopic(),
                                one.getPartition(), reason);
                        sent = sent.chain(() -> Uni.createFrom().completionStage(
                                one.nack(new IllegalArgumentException(reason))));
                    }
                    return sent.chain(() -> Uni.createFrom().completionStage(batch.ack()));
                });
    }
}
