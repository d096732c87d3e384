package io.memberpulse.campaign.stream.out;

import com.google.protobuf.Timestamp;
import io.memberpulse.campaign.domain.RecordedOutcome;
import io.memberpulse.proto.campaign.v1.InterventionOutcome;
import io.memberpulse.proto.campaign.v1.OutcomeResult;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;

/**
 * InterventionOutcome on intervention.outcomes, keyed by member id: human feedback for the churn models. The staff's
 * note is not sent (personal data the models do not read; it stays in task_outcome).
 */
@ApplicationScoped
public class InterventionOutcomePublisher {
    public static final String CHANNEL = "intervention-outcomes";

    private final MutinyEmitter<InterventionOutcome> emitter;

    public InterventionOutcomePublisher(@Channel(CHANNEL) MutinyEmitter<InterventionOutcome> emitter) {
        this.emitter = emitter;
    }

    /** Completes when the broker acknowledged it. */
    public Uni<Void> publish(RecordedOutcome recorded) {
        return emitter.sendMessage(Message.of(toProto(recorded)).addMetadata(
                OutgoingKafkaRecordMetadata.<String>builder().withKey(recorded.task().memberId()).build()));
    }

    static InterventionOutcome toProto(RecordedOutcome recorded) {
        var outcome = recorded.outcome();
        var proto = InterventionOutcome.newBuilder()
                .setTaskId(recorded.task().taskId()).setMemberId(recorded.task().memberId())
                .setStoreId(recorded.calledFromStore()).setReached(outcome.reached())
                .setResult(OutcomeResult.valueOf("OUTCOME_RESULT_" + outcome.result().name()))
                .setRecordedAt(Timestamp.newBuilder().setSeconds(recorded.recordedAt().getEpochSecond())
                        .setNanos(recorded.recordedAt().getNano()));
        if (recorded.task().campaignId() != null) {
            proto.setCampaignId(recorded.task().campaignId());
        }
        if (outcome.followUpDate() != null) {
            proto.setFollowUpDate(outcome.followUpDate().toString());
        }
        return proto.build();
    }
}
