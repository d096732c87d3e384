package io.memberpulse.churn;

import io.memberpulse.churn.domain.ChurnScore;
import io.memberpulse.churn.domain.ExplanationUnavailableException;
import io.memberpulse.churn.domain.MemberNotFoundException;
import io.memberpulse.churn.domain.RhythmChurnModel;
import io.memberpulse.churn.domain.ScoreExplanation;
import io.memberpulse.churn.domain.features.Activity;
import io.memberpulse.churn.domain.features.StockOuts;
import io.memberpulse.churn.domain.model.Contributions;
import io.memberpulse.churn.domain.model.TrainedChurnModel;
import io.memberpulse.churn.store.ModelInputRepository;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.List;

/**
 * Explains one member's stored score on demand, apart from the scoring path: the member's facts are read and their
 * feature vector built as of the score's as-of, as scoring built it (the model version that made the score, its
 * population, the stock-outs of the 90 days before), and that version gives each feature's contribution.
 */
@ApplicationScoped
public class ScoreExplanationService {
    private final ScoreQueryService scores;
    private final ModelInputRepository inputs;
    private final ModelRegistry models;

    public ScoreExplanationService(ScoreQueryService scores, ModelInputRepository inputs, ModelRegistry models) {
        this.scores = scores;
        this.inputs = inputs;
        this.models = models;
    }

    /**
     * Blocking. MemberNotFoundException when the member has no score or the caller may not read it, as GetScore
     * answers (ScoreQueryService.scoreFor): checked before the member's facts are read.
     */
    public ScoreExplanation explain(String memberId, int k, SecurityIdentity caller) {
        ChurnScore score = scores.scoreFor(memberId, caller).await().indefinitely();
        if (RhythmChurnModel.VERSION.equals(score.modelVersion())) {
            return ScoreExplanation.ofRhythm(score);
        }
        TrainedChurnModel model = models.version(score.modelVersion()).orElseThrow(() -> new ExplanationUnavailableException(
                "model version " + score.modelVersion() + " that made this score is no longer stored"));
        Instant asOf = score.asOf();
        List<Activity> facts = inputs.activitiesOf(List.of(memberId)).await().indefinitely()
                .getOrDefault(memberId, List.of());
        StockOuts stockOuts = inputs.stockOutsSeenAt(asOf).await().indefinitely();
        // no purchase by the score's as-of any more (lines moved by a merge or split a moment ago): the score is going
        TrainedChurnModel.Explained explained = model.explain(facts, stockOuts, asOf)
                .orElseThrow(() -> new MemberNotFoundException(memberId));
        Contributions c = explained.contributions();
        return ScoreExplanation.of(score, model.classifier().kind().key(), explained.features(),
                explained.probability(), c.base(), c.byFeature(),
                c.exact(), k);
    }
}
