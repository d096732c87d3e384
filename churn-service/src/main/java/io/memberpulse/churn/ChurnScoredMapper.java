package io.memberpulse.churn;

import com.google.protobuf.Timestamp;
import io.memberpulse.churn.domain.ChurnScore;
import io.memberpulse.proto.churn.v1.ChurnScored;

/** A score in its contract form (proto ChurnScored), for the topic and for gRPC alike. */
public final class ChurnScoredMapper {
    private ChurnScoredMapper() {
    }

    public static ChurnScored toProto(ChurnScore score) {
        ChurnScored.Builder proto = ChurnScored.newBuilder().setMemberId(score.memberId())
                .setProbability(score.probability()).setModelVersion(score.modelVersion())
                .setAsOf(Timestamp.newBuilder().setSeconds(score.asOf().getEpochSecond()).setNanos(score.asOf().getNano()))
                .setHorizonDays(score.horizonDays()).setMemberValue(score.memberValue())
                .setHomeStoreId(score.homeStoreId() == null ? "" : score.homeStoreId());
        if (score.recencyDays() != null) {
            proto.setRecencyDays(score.recencyDays());
        }
        if (score.expectedGapDays() != null) {
            proto.setExpectedGapDays(score.expectedGapDays());
        }
        return proto.build();
    }
}
