package io.memberpulse.churn;

import static org.assertj.core.api.Assertions.assertThat;

import io.memberpulse.churn.domain.features.Population;
import io.memberpulse.churn.domain.metrics.ModelMetrics;
import io.memberpulse.churn.domain.model.ChurnClassifier;
import io.memberpulse.churn.domain.model.ModelKind;
import io.memberpulse.churn.domain.model.Promotion;
import io.memberpulse.churn.store.ModelRepository;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Each replica runs its own training jobs, so two runs may decide at once against the same serving version S. The
 * promote step of the one committing second must see the version the other promoted meanwhile and decide against
 * it, by the same rule (Promotion), instead of demoting it without comparing.
 */
@QuarkusTest
class PromotionAcrossReplicasTest {
    /**
     * A horizon the service does not serve: latestReport (the what-if's source) never reads these versions. The runs
     * here are judged for it, as if the service served it (servesHorizon).
     */
    static final int H = 45;
    static final Instant S_FACTS = Instant.parse("2024-04-01T00:00:00Z");
    static final Instant BACKTEST_FACTS = Instant.parse("2024-05-01T00:00:00Z");
    static final Instant NIGHTLY_FACTS = Instant.parse("2024-06-30T00:00:00Z");

    @Inject
    TrainModelService training;

    @Inject
    ModelRepository models;

    @Inject
    ModelRegistry registry;

    @AfterEach
    void backToTheRhythmBaseline() {
        models.demoteAll().await().indefinitely();
        registry.reload();
    }

    @Test
    void aBacktestDecidedAgainstSDoesNotDemoteTheNewerVersionAnotherReplicaPromotedMeanwhile() {
        String run = ScoringFixture.runId();
        String s = "race-s-" + run;
        String nightly = "race-nightly-" + run;
        String backtest = "race-backtest-" + run;
        models.insert(version(s, S_FACTS, true, 0.70, "promoted")).await().indefinitely();
        // the analyst's backtest (asOf May) decides while S serves, and beats it
        Function<Promotion.Serving, Promotion> decide = decider(BACKTEST_FACTS);
        Promotion decided = decide.apply(servingNow());
        assertThat(decided.promote()).isTrue();
        // meanwhile the nightly run of another replica (facts to June) promotes its version
        models.insert(version(nightly, NIGHTLY_FACTS, true, 0.74, "promoted")).await().indefinitely();

        Promotion stored = training.store(decided, s, decide,
                outcome -> version(backtest, BACKTEST_FACTS, outcome.promote(), 0.75, outcome.decision()));

        assertThat(models.promotedVersion().await().indefinitely()).as("the newer facts keep serving").contains(nightly);
        ModelRepository.Summary backtestStored = models.summaryAndReport(backtest).await().indefinitely().orElseThrow()
                .summary();
        assertThat(backtestStored.promoted()).isFalse();
        assertThat(stored.promote()).isFalse();
        assertThat(backtestStored.decision()).isEqualTo(stored.decision())
                .startsWith("not promoted (trained on facts up to " + BACKTEST_FACTS + ", before the serving " + nightly);
    }

    @Test
    void aRunDecidedAgainstSIsComparedAgainstTheVersionPromotedMeanwhileAndReplacesItWhenItWins() {
        String run = ScoringFixture.runId();
        String s = "race2-s-" + run;
        String backtest = "race2-backtest-" + run;
        String nightly = "race2-nightly-" + run;
        models.insert(version(s, S_FACTS, true, 0.70, "promoted")).await().indefinitely();
        Function<Promotion.Serving, Promotion> decide = decider(NIGHTLY_FACTS);
        Promotion decided = decide.apply(servingNow());
        assertThat(decided.decision()).contains(s);
        // another replica promotes a version on facts up to May (it beat S there)
        models.insert(version(backtest, BACKTEST_FACTS, true, 0.74, "promoted")).await().indefinitely();

        Promotion stored = training.store(decided, s, decide,
                outcome -> version(nightly, NIGHTLY_FACTS, outcome.promote(), 0.75, outcome.decision()));

        assertThat(stored.promote()).isTrue();
        assertThat(stored.decision()).as("compared with the version serving when it was stored").contains(backtest)
                .doesNotContain(s);
        assertThat(models.promotedVersion().await().indefinitely()).contains(nightly);
        assertThat(models.summaryAndReport(nightly).await().indefinitely().orElseThrow().summary().decision())
                .isEqualTo(stored.decision());
    }

    private Promotion.Serving servingNow() {
        return TrainModelService.serving(models.promotedSummary().await().indefinitely().orElseThrow());
    }

    /**
     * How a run with these facts decides (the blend chosen at 0.75; the rhythm baseline at 0.66; a serving version
     * trained before its window scores 0.70 there).
     */
    private static Function<Promotion.Serving, Promotion> decider(Instant factsUntil) {
        Map<ModelKind, ModelMetrics> validation = new EnumMap<>(ModelKind.class);
        validation.put(ModelKind.BLEND, withAuc(0.75));
        validation.put(ModelKind.RHYTHM, withAuc(0.66));
        Instant validationCutoff = factsUntil.minus(Duration.ofDays(H));
        return serving -> Promotion.decide(ModelKind.BLEND, factsUntil, validation, validationCutoff, H, serving,
                () -> 0.70, true, 0.02);
    }

    /** Scores that rank n positives above n negatives with the given share of pairs in order: AUC = share. */
    private static ModelMetrics withAuc(double auc) {
        int n = 100;
        double[] p = new double[2 * n];
        int[] y = new int[2 * n];
        int ordered = (int) Math.round(auc * n);
        for (int i = 0; i < n; i++) {
            y[i] = 1;
            p[i] = i < ordered ? 0.9 : 0.1;
            p[n + i] = 0.5;
        }
        return ModelMetrics.of(p, y);
    }

    /**
     * A version as a replica stores it: one that loads and scores (the rhythm formula without a population), since the
     * service follows whichever is promoted.
     */
    private static ModelRepository.StoredModel version(String name, Instant factsUntil, boolean promoted, double auc,
            String decision) {
        return new ModelRepository.StoredModel(new ModelRepository.Summary(name, ModelKind.RHYTHM.key(), Instant.now(),
                factsUntil, H, promoted, auc, 1.0, decision), "{}", new byte[0],
                ChurnClassifier.withoutLabels(ModelKind.RHYTHM).toBytes(), Population.NONE.toBytes());
    }
}
