package io.memberpulse.churn.domain.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.memberpulse.churn.domain.metrics.ModelMetrics;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.DoubleSupplier;
import org.junit.jupiter.api.Test;

class PromotionTest {
    private static final double MAX_DROP = 0.02;

    static final Instant WINDOW = Instant.parse("2011-09-10T00:00:00Z");
    static final int H = 90;
    /** Where this run's facts end: one horizon after the validation cut-off. */
    static final Instant NOW = WINDOW.plus(Duration.ofDays(H));

    /** A validation run's metrics with these AUCs (the rest of the metrics do not matter here). */
    static Map<ModelKind, ModelMetrics> validation(double blend, double gbt, double rhythm) {
        Map<ModelKind, ModelMetrics> metrics = new EnumMap<>(ModelKind.class);
        metrics.put(ModelKind.BLEND, withAuc(blend));
        metrics.put(ModelKind.GBT, withAuc(gbt));
        metrics.put(ModelKind.RHYTHM, withAuc(rhythm));
        return metrics;
    }

    /** Scores that rank n positives above n negatives with the given share of pairs in order: AUC = share. */
    static ModelMetrics withAuc(double auc) {
        int n = 100;
        double[] p = new double[2 * n];
        int[] y = new int[2 * n];
        int ordered = (int) Math.round(auc * n);
        for (int i = 0; i < n; i++) {
            y[i] = 1;
            p[i] = i < ordered ? 0.9 : 0.1; // positives above or below every negative
            p[n + i] = 0.5;
        }
        return ModelMetrics.of(p, y);
    }

    @Test
    void beforeAnyVersionTheCandidateMustBeatTheRhythmBaseline() {
        Promotion promotion = Promotion.decide(ModelKind.BLEND, NOW, validation(0.75, 0.74, 0.66), WINDOW, H, null,
                () -> { throw new AssertionError("no serving version to score"); }, true, MAX_DROP);
        assertThat(promotion.promote()).isTrue();
        assertThat(promotion.currentAuc()).isEqualTo(0.66);
        assertThat(promotion.decision()).startsWith("promoted: validation AUC 0.7500 vs 0.6600 of the rhythm baseline");
    }

    @Test
    void aVersionWhoseLabelsReachIntoTheWindowIsJudgedAsItsKindRefittedAndATieReplacesIt() {
        AtomicInteger asked = new AtomicInteger();
        DoubleSupplier inSample = () -> {
            asked.incrementAndGet();
            return 0.99; // graded on its own training rows
        };
        // trained last night: its facts end one day before this run's, far past the validation cut-off
        Promotion.Serving lastNight = new Promotion.Serving("blend-1", ModelKind.BLEND, WINDOW.plus(Duration.ofDays(H - 1)), H, 0.75);
        Promotion sameKind = Promotion.decide(ModelKind.BLEND, NOW, validation(0.75, 0.74, 0.66), WINDOW, H, lastNight,
                inSample, true, MAX_DROP);
        assertThat(sameKind.promote()).as("the same kind on newer facts").isTrue();
        assertThat(sameKind.currentAuc()).isEqualTo(0.75);
        assertThat(asked).as("never graded on the window it learnt").hasValue(0);
        assertThat(sameKind.decision()).contains("blend-1 (blend, which learnt this window's labels");

        Promotion.Serving gbtLastNight = new Promotion.Serving("gbt-1", ModelKind.GBT, WINDOW.plus(Duration.ofDays(1)), H, 0.75);
        assertThat(Promotion.decide(ModelKind.BLEND, NOW, validation(0.75, 0.74, 0.66), WINDOW, H, gbtLastNight, inSample, true, MAX_DROP)
                .promote()).isTrue();
        // the same facts again (a retrain with nothing new): a tie keeps the serving version
        Promotion.Serving sameFacts = new Promotion.Serving("blend-2", ModelKind.BLEND, NOW, H, 0.75);
        Promotion again = Promotion.decide(ModelKind.BLEND, NOW, validation(0.75, 0.74, 0.66), WINDOW, H, sameFacts,
                inSample, true, MAX_DROP);
        assertThat(again.promote()).isFalse();
        assertThat(again.decision()).startsWith("kept the current model");
        // a candidate below the serving kind's refit cannot happen when both are candidates (the best is chosen);
        // it can against a serving kind that is no longer chosen, and then the serving version stays
        assertThat(Promotion.decide(ModelKind.BLEND, NOW, validation(0.73, 0.74, 0.66), WINDOW, H, gbtLastNight, inSample, true, MAX_DROP)
                .promote()).isFalse();
    }

    @Test
    void aVersionTrainedBeforeTheWindowIsScoredOnItAndMustBeBeaten() {
        Promotion.Serving old = new Promotion.Serving("gbt-0", ModelKind.GBT, WINDOW.minus(Duration.ofDays(10)), H, 0.75);
        Promotion kept = Promotion.decide(ModelKind.BLEND, NOW, validation(0.75, 0.74, 0.66), WINDOW, H, old, () -> 0.75, true, MAX_DROP);
        assertThat(kept.promote()).as("a tie keeps the serving version").isFalse();
        assertThat(kept.decision()).startsWith("kept the current model: validation AUC 0.7500 vs 0.7500 of gbt-0 on");
        assertThat(Promotion.decide(ModelKind.BLEND, NOW, validation(0.75, 0.74, 0.66), WINDOW, H, old, () -> 0.70, true, MAX_DROP)
                .promote()).isTrue();
    }

    @Test
    void aRunOnFactsEndingBeforeTheServingVersionsNeverReplacesIt() {
        // serving: GBT trained today; this run (training on demand at an earlier as-of) validates its blend better
        // than GBT refitted before the window, but it knows 100 days less
        Promotion.Serving today = new Promotion.Serving("gbt-9", ModelKind.GBT, NOW.plus(Duration.ofDays(100)), H, 0.75);
        Promotion backtest = Promotion.decide(ModelKind.BLEND, NOW, validation(0.78, 0.74, 0.66), WINDOW, H, today,
                () -> { throw new AssertionError("its labels reach into the window"); }, true, MAX_DROP);
        assertThat(backtest.promote()).isFalse();
        assertThat(backtest.decision()).startsWith("not promoted (trained on facts up to " + NOW + ", before the serving gbt-9's");
    }

    @Test
    void aVersionForAnotherHorizonIsNeverPromotedNorComparedWithOne() {
        Promotion.Serving other = new Promotion.Serving("blend-60", ModelKind.BLEND, WINDOW.minus(Duration.ofDays(10)), 60, 0.75);
        Promotion promotion = Promotion.decide(ModelKind.BLEND, NOW, validation(0.75, 0.74, 0.66), WINDOW, H, other,
                () -> { throw new AssertionError("not comparable"); }, false, MAX_DROP);
        assertThat(promotion.promote()).isFalse();
        assertThat(promotion.decision()).startsWith("not promoted (the service scores another horizon)")
                .contains("the rhythm baseline");
    }

    /**
     * Judged as its kind refitted, the serving version loses to any newer facts; a run that validates far below what the
     * serving version validated at (a channel stopped sending, labels cut short) keeps it all the same.
     */
    @Test
    void aRetrainWithinAHorizonThatValidatesFarBelowTheServingVersionKeepsIt() {
        Promotion.Serving lastNight = new Promotion.Serving("blend-1", ModelKind.BLEND, WINDOW.plus(Duration.ofDays(H - 1)), H,
                0.76);
        DoubleSupplier notAsked = () -> { throw new AssertionError("its labels reach into the window"); };
        Promotion damaged = Promotion.decide(ModelKind.BLEND, NOW, validation(0.70, 0.69, 0.66), WINDOW, H, lastNight,
                notAsked, true, MAX_DROP);
        assertThat(damaged.promote()).isFalse();
        assertThat(damaged.decision()).startsWith("not promoted (validation AUC 0.7000 is more than 0.020 below the 0.7600"
                + " blend-1 validated at");
        assertThat(Promotion.decide(ModelKind.BLEND, NOW, validation(0.745, 0.69, 0.66), WINDOW, H, lastNight, notAsked,
                true, MAX_DROP).promote()).as("within the allowed drop").isTrue();
        Promotion.Serving unknown = new Promotion.Serving("blend-1", ModelKind.BLEND, WINDOW.plus(Duration.ofDays(H - 1)), H,
                Double.NaN);
        assertThat(Promotion.decide(ModelKind.BLEND, NOW, validation(0.70, 0.69, 0.66), WINDOW, H, unknown, notAsked, true,
                MAX_DROP).promote()).as("no AUC recorded for the serving version").isTrue();
        // judged on a window it never saw, the serving version is compared as it is, whatever it validated at
        Promotion.Serving old = new Promotion.Serving("gbt-0", ModelKind.GBT, WINDOW.minus(Duration.ofDays(10)), H, 0.80);
        assertThat(Promotion.decide(ModelKind.BLEND, NOW, validation(0.70, 0.69, 0.66), WINDOW, H, old, () -> 0.65, true,
                MAX_DROP).promote()).isTrue();
    }
}
