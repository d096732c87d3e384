package io.memberpulse.campaign.api.grpc;

import com.google.protobuf.Timestamp;
import io.memberpulse.campaign.domain.CallList;
import io.memberpulse.campaign.domain.CallTask;
import io.memberpulse.campaign.domain.CallTaskStatus;
import io.memberpulse.campaign.domain.TalkingPoints;
import io.memberpulse.proto.campaign.v1.TaskStatus;
import io.memberpulse.campaign.domain.InvalidArgumentException;
import io.memberpulse.campaign.domain.Outcome;
import io.memberpulse.campaign.domain.OutcomeResult;
import io.memberpulse.campaign.domain.RecordedOutcome;
import io.memberpulse.proto.campaign.v1.RecordOutcomeRequest;
import io.memberpulse.proto.campaign.v1.ArmResult;
import io.memberpulse.proto.campaign.v1.CampaignResults;
import io.memberpulse.campaign.domain.experiment.CampaignReview;
import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;

/** Domain values to campaign.v1 messages. */
final class GrpcMapper {
    private GrpcMapper() {
    }

    static io.memberpulse.proto.campaign.v1.CallList toProto(CallList list) {
        Instant now = list.generatedAt();
        var proto = io.memberpulse.proto.campaign.v1.CallList.newBuilder()
                .setStoreId(list.storeId()).setGeneratedAt(timestamp(now));
        list.tasks().forEach(task -> proto.addTasks(toProto(task, now)));
        return proto.build();
    }

    private static io.memberpulse.proto.campaign.v1.CallTask toProto(CallTask task, Instant now) {
        var proto = io.memberpulse.proto.campaign.v1.CallTask.newBuilder()
                .setTaskId(task.taskId()).setMemberId(task.memberId()).setStoreId(task.storeId())
                .setChurnProbability(task.probability()).setMemberValue(task.memberValue())
                .setValueAtRisk(task.valueAtRisk()).setCreatedAt(timestamp(task.createdAt()))
                .setDueAt(timestamp(task.dueAt())).setStatus(status(task.status(now)))
                .addAllTalkingPoints(TalkingPoints.of(task, now)).setVersion(task.version());
        if (task.maskedPhone() != null) {
            proto.setMaskedPhone(task.maskedPhone());
        }
        if (task.campaignId() != null) {
            proto.setCampaignId(task.campaignId());
        }
        return proto.build();
    }

    /** A RecordOutcomeRequest as a domain outcome; blank task_id and unset result are refused naming the field. */
    static Outcome outcome(RecordOutcomeRequest request) {
        if (request.getTaskId().isBlank()) {
            throw new InvalidArgumentException("task_id", "is required");
        }
        var result = request.getResult();
        if (result == io.memberpulse.proto.campaign.v1.OutcomeResult.OUTCOME_RESULT_UNSPECIFIED
                || result == io.memberpulse.proto.campaign.v1.OutcomeResult.UNRECOGNIZED) {
            throw new InvalidArgumentException("result", "is required");
        }
        LocalDate followUp = null;
        if (!request.getFollowUpDate().isBlank()) {
            try {
                followUp = LocalDate.parse(request.getFollowUpDate());
            } catch (DateTimeParseException e) {
                throw new InvalidArgumentException("follow_up_date", "not an ISO-8601 date: '" + request.getFollowUpDate() + "'");
            }
        }
        return new Outcome(request.getReached(), OutcomeResult.valueOf(result.name().substring("OUTCOME_RESULT_".length())),
                request.getNote(), followUp);
    }

    static io.memberpulse.proto.campaign.v1.CallTask toProto(RecordedOutcome recorded) {
        CallTask task = recorded.task();
        var proto = io.memberpulse.proto.campaign.v1.CallTask.newBuilder()
                .setTaskId(task.taskId()).setMemberId(task.memberId()).setStoreId(task.storeId())
                .setChurnProbability(task.probability()).setMemberValue(task.memberValue())
                .setValueAtRisk(task.valueAtRisk()).setCreatedAt(timestamp(task.createdAt()))
                .setDueAt(timestamp(task.dueAt())).setStatus(TaskStatus.TASK_STATUS_DONE).setVersion(task.version());
        if (task.campaignId() != null) {
            proto.setCampaignId(task.campaignId());
        }
        return proto.build();
    }

    static CampaignResults toProto(String campaignId, CampaignReview review) {
        return CampaignResults.newBuilder().setCampaignId(campaignId)
                .setTreated(arm(review.treated())).setHoldout(arm(review.holdout()))
                .setUplift(finite(review.conversionUplift().value()))
                .setUpliftCiLow(finite(review.conversionUplift().low()))
                .setUpliftCiHigh(finite(review.conversionUplift().high()))
                .setCost(review.cost()).setIncrementalGain(finite(review.incrementalRevenue())).setRoi(finite(review.roi()))
                .build();
    }

    private static ArmResult arm(CampaignReview.ArmResult arm) {
        return ArmResult.newBuilder().setMembers(arm.members()).setConverted(arm.converted())
                .setConversionRate(arm.conversionRate()).setAverageOrderValue(arm.averageOrderValue()).build();
    }

    /** proto3 doubles carry NaN, but callers should not have to: an undefined figure is sent as 0. */
    private static double finite(double value) {
        return Double.isFinite(value) ? value : 0;
    }

    private static TaskStatus status(CallTaskStatus status) {
        return switch (status) {
            case OPEN -> TaskStatus.TASK_STATUS_OPEN;
            case OVERDUE -> TaskStatus.TASK_STATUS_OVERDUE;
        };
    }

    private static Timestamp timestamp(Instant instant) {
        return Timestamp.newBuilder().setSeconds(instant.getEpochSecond()).setNanos(instant.getNano()).build();
    }
}
