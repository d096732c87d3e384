package io.memberpulse.churn;

import io.memberpulse.churn.domain.InvalidInputException;
import io.memberpulse.churn.domain.LabelOutageException;
import io.memberpulse.churn.domain.features.Activity;
import io.memberpulse.churn.domain.features.FeatureExtractor;
import io.memberpulse.churn.domain.features.Snapshot;
import io.memberpulse.churn.domain.features.StockOut;
import io.memberpulse.churn.domain.features.SnapshotBuilder;
import io.memberpulse.churn.domain.features.StockOuts;
import io.memberpulse.churn.domain.model.BgNbdFitter;
import io.memberpulse.churn.domain.model.ChurnTraining;
import io.memberpulse.churn.domain.model.LabelGuard;
import io.memberpulse.churn.domain.model.LabelOutage;
import io.memberpulse.churn.domain.model.ModelKind;
import io.memberpulse.churn.domain.model.TrainingMemory;
import io.memberpulse.churn.domain.model.TrainingPlan;
import io.memberpulse.churn.domain.model.TrainingProgress;
import io.smallrye.mutiny.Uni;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;

/**
 * One training run over a set of member histories, shared by training on demand and batch scoring:
 * the strict-time-split plan for a model trained with facts up to asOf (labels end by asOf), each
 * cut-off's snapshot built once (ChurnTraining memoizes them), and the unlabelled snapshot that the trained model scores.
 */
final class TrainingRun {
    static final int MAX_HORIZON_DAYS = 730;

    private final Map<String, List<Activity>> histories;
    private final SnapshotBuilder builder;
    private final StockOuts stockOuts;
    private final ZoneId zone;
    private final LabelGuard labelGuard;
    /** The heap free with the facts read in it (measured once per run) and the most it may grow to. */
    private final long freeWithFacts;
    private final long maxHeap;

    /**
     * A run over histories already in memory, the free heap measured now.
     *
     * @param labelGuard the silences of the purchase feed that refuse a run (LabelOutage)
     */
    TrainingRun(Map<String, List<Activity>> histories, StockOuts stockOuts, FeatureExtractor extractor, int horizonDays,
            LabelGuard labelGuard) {
        this(histories, stockOuts, extractor, horizonDays, labelGuard, Heap.RUNTIME.free(), Heap.RUNTIME.max());
    }

    private TrainingRun(Map<String, List<Activity>> histories, StockOuts stockOuts, FeatureExtractor extractor,
            int horizonDays, LabelGuard labelGuard, long freeWithFacts, long maxHeap) {
        this.histories = histories;
        this.stockOuts = stockOuts;
        this.zone = extractor.zone();
        this.labelGuard = labelGuard;
        this.freeWithFacts = freeWithFacts;
        this.maxHeap = maxHeap;
        this.builder = new SnapshotBuilder(extractor, summaries -> BgNbdFitter.fit(summaries).model(), horizonDays);
    }

    /**
     * What a run reads (training on demand the facts up to its asOf, or all of them at the event clock; a batch score
     * those before its asOf): how many members and facts there are, counted in the database, then the facts.
     */
    record FactsRead(Uni<TrainingMemory.Facts> count, Uni<Map<String, List<Activity>>> histories,
            Uni<List<StockOut>> stockOuts) {
    }

    /** The heap a run may take: what is free now (after a collection) and the most the heap may grow to. */
    interface Heap {
        long free();

        long max();

        Heap RUNTIME = new Heap() {
            @Override
            public long free() {
                Runtime runtime = Runtime.getRuntime();
                // a collection first, so that what is free is not understated by garbage; a run is rare and long
                System.gc();
                return runtime.maxMemory() - (runtime.totalMemory() - runtime.freeMemory());
            }

            @Override
            public long max() {
                return Runtime.getRuntime().maxMemory();
            }
        };
    }

    /** A run over the facts read, for a model trained with facts up to asOf; reported as the loading stage. Blocking. */
    static TrainingRun load(FactsRead read, Instant asOf, FeatureExtractor extractor, int horizonDays,
            LabelGuard labelGuard, TrainingProgress progress) {
        return load(read, asOf, extractor, horizonDays, labelGuard, progress, Heap.RUNTIME);
    }

    /**
     * Refuses first (NotEnoughMemoryException) a run whose facts and snapshots would not fit in the heap, from the
     * facts counted: read, they would exhaust it before any check after the read could refuse. The free heap is
     * measured here, once: the check after the read ({@link #requireMemory}) takes what the facts read hold off it.
     */
    static TrainingRun load(FactsRead read, Instant asOf, FeatureExtractor extractor, int horizonDays,
            LabelGuard labelGuard, TrainingProgress progress, Heap heap) {
        progress.report(TrainingProgress.Stage.LOADING_FACTS, 0, 1);
        long free = heap.free();
        long max = heap.max();
        TrainingMemory.require(read.count().await().indefinitely(), TrainingPlan.of(asOf, horizonDays), free, max);
        Map<String, List<Activity>> histories = read.histories().await().indefinitely();
        long factsRead = histories.values().stream().mapToLong(List::size).sum();
        TrainingRun run = new TrainingRun(histories, new StockOuts(read.stockOuts().await().indefinitely()), extractor,
                horizonDays, labelGuard, TrainingMemory.freeAfterReading(free, factsRead), max);
        progress.report(TrainingProgress.Stage.LOADING_FACTS, 1, 1);
        return run;
    }

    static void checkHorizon(int horizonDays) {
        if (horizonDays < 1 || horizonDays > MAX_HORIZON_DAYS) {
            throw new InvalidInputException("horizon", "must be within 1.." + MAX_HORIZON_DAYS + " days");
        }
    }

    /**
     * The as-of instant of a run, refused when it lies after the latest fact recorded (the event clock): the label
     * windows of its cut-offs would reach past what is known, and every member with no purchase recorded yet in them
     * would be taught as churned (and such a run, trained on "later" facts, would win promotion over the nightly ones).
     */
    static Instant checkKnown(Instant asOf, Instant clock) {
        if (asOf.isAfter(clock)) {
            throw new InvalidInputException("asOf", "is after the latest fact recorded (" + clock + "): labels after "
                    + "it are not known yet; give an instant up to it, or none for the event clock");
        }
        return asOf;
    }

    /**
     * Every model kind validated, the best trained one refitted; NotEnoughDataException when too little data,
     * LabelOutageException when the purchase feed fell silent in the last horizon.
     */
    ChurnTraining.Result train(Instant asOf, TrainingProgress progress) {
        TrainingPlan plan = TrainingPlan.of(asOf, builder.horizonDays());
        requireLabels(plan);
        requireMemory(plan);
        return ChurnTraining.run(plan, cutoff -> builder.at(histories, stockOuts, cutoff, asOf), false, progress);
    }

    /** One kind trained on the training cut-offs, none validated (ChurnTraining#runWithoutValidation). */
    ChurnTraining.Result trainWithoutValidation(Instant asOf, ModelKind kind, TrainingProgress progress) {
        TrainingPlan plan = TrainingPlan.of(asOf, builder.horizonDays());
        requireLabels(plan);
        requireMemory(plan);
        return ChurnTraining.runWithoutValidation(plan, cutoff -> builder.at(histories, stockOuts, cutoff, asOf), kind,
                progress);
    }

    /**
     * Refuses a run whose last horizon holds a silence of the purchase feed, or of one channel's (LabelOutage): its
     * latest labels, and the validation window a version is promoted on, would call churned every member whose
     * purchases were not recorded. Two passes over the facts already read, before anything is built.
     */
    private void requireLabels(TrainingPlan plan) {
        LabelOutage.in(plan, histories, zone, labelGuard).ifPresent(outage -> {
            String what = outage.channel() == null ? "purchase feed outage" : "purchase feed outage in channel "
                    + outage.channel();
            String really = outage.channel() == null ? "the chain really sold nothing then"
                    : "the channel really sold nothing then (closed, or its sales now reach another channel)";
            throw new LabelOutageException(what + ", no model trained: " + outage.describe() + " (days in "
                    + zone + ", within the horizon before " + plan.asOf() + "). Labels there would call churned every "
                    + "member whose purchases were not recorded, so the current model is kept; replay the missing "
                    + "events, or, if " + really + ", " + (outage.channel() == null
                            ? "turn the guard off (memberpulse.churn.label-outage-days=0)"
                            : "name it in memberpulse.churn.label-outage-closed-channels"));
        });
    }

    /**
     * Refuses a run whose snapshots would not fit in the heap left (NotEnoughMemoryException), before it starts: the
     * members read (more than counted when facts were recorded in between) against the heap free before the read less
     * what the facts read hold. Not measured again: that took a second full collection (System.gc()) per run, and one
     * more for each fit a batch score tries, each a stop of the whole service (its consumers and requests too).
     */
    private void requireMemory(TrainingPlan plan) {
        TrainingMemory.require(histories.size(), plan, freeWithFacts, maxHeap);
    }

    /** Every member who had purchased by asOf, with features as of it (no labels). */
    Snapshot unlabelledAt(Instant asOf) {
        return builder.at(histories, stockOuts, asOf, false);
    }
}
