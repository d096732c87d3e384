package io.memberpulse.churn.api.grpc;

import com.google.protobuf.Timestamp;
import io.memberpulse.churn.ModelQueryService;
import io.memberpulse.proto.churn.v1.ModelSummary;
import java.time.Instant;

/** A stored model version's summary in its contract form. */
final class ModelSummaryMapper {
    private ModelSummaryMapper() {
    }

    static ModelSummary toProto(ModelQueryService.ModelVersion summary) {
        return ModelSummary.newBuilder().setVersion(summary.version()).setKind(summary.kind())
                .setTrainedAt(timestamp(summary.trainedAt())).setAsOf(timestamp(summary.asOf()))
                .setHorizonDays(summary.horizonDays()).setPromoted(summary.promoted())
                .setValidationAuc(summary.validationAuc()).setValidationLiftAt20(summary.validationLift())
                .setDecision(summary.decision()).build();
    }

    private static Timestamp timestamp(Instant at) {
        return Timestamp.newBuilder().setSeconds(at.getEpochSecond()).setNanos(at.getNano()).build();
    }
}
