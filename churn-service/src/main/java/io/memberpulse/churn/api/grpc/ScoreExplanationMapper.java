package io.memberpulse.churn.api.grpc;

import com.google.protobuf.Timestamp;
import io.memberpulse.churn.domain.ScoreExplanation;
import io.memberpulse.proto.churn.v1.FeatureContribution;

/** An explanation in its contract form (proto ScoreExplanation); absent figures stay unset. */
final class ScoreExplanationMapper {
    private ScoreExplanationMapper() {
    }

    static io.memberpulse.proto.churn.v1.ScoreExplanation toProto(ScoreExplanation e) {
        var proto = io.memberpulse.proto.churn.v1.ScoreExplanation.newBuilder().setMemberId(e.memberId())
                .setModelVersion(e.modelVersion()).setModelKind(e.modelKind())
                .setAsOf(Timestamp.newBuilder().setSeconds(e.asOf().getEpochSecond()).setNanos(e.asOf().getNano()))
                .setHorizonDays(e.horizonDays()).setProbability(e.probability()).setExact(e.exact());
        if (e.recomputedProbability() != null) {
            proto.setRecomputedProbability(e.recomputedProbability());
        }
        if (e.explainedProbability() != null) {
            proto.setExplainedProbability(e.explainedProbability());
        }
        if (e.baseLogOdds() != null) {
            proto.setBaseLogOdds(e.baseLogOdds());
        }
        if (e.otherLogOdds() != null) {
            proto.setOtherLogOdds(e.otherLogOdds());
        }
        for (ScoreExplanation.FeatureContribution f : e.features()) {
            FeatureContribution.Builder feature = FeatureContribution.newBuilder().setFeature(f.feature())
                    .setLabel(f.label());
            if (f.value() != null) {
                feature.setValue(f.value());
            }
            if (f.contribution() != null) {
                feature.setContribution(f.contribution());
            }
            proto.addFeatures(feature);
        }
        return proto.build();
    }
}
