package io.memberpulse.churn;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.memberpulse.churn.domain.metrics.BinaryMetrics;
import io.memberpulse.churn.domain.metrics.ModelMetrics;
import io.memberpulse.churn.domain.model.ChurnTraining;
import io.memberpulse.churn.domain.model.ModelKind;
import io.memberpulse.churn.domain.model.ModelReport;
import io.memberpulse.churn.domain.model.Promotion;
import io.memberpulse.churn.domain.model.TrainedChurnModel;
import io.memberpulse.churn.domain.model.TrainingProgress;
import io.memberpulse.churn.store.ModelInputRepository;
import io.memberpulse.churn.store.ModelRepository;
import io.memberpulse.churn.store.StreamClockRepository;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * Training on demand: every model kind fitted and validated on the member facts known at asOf
 * (strict time split, see TrainingPlan); the chosen one is stored as a new version with its report
 * and reliability plot, and promoted only if it beats the model scoring today on the validation
 * window. Too little data: NotEnoughDataException; a purchase-feed outage in the last horizon:
 * LabelOutageException; either way the current model stays. Blocking.
 */
@ApplicationScoped
public class TrainModelService {
    private static final Logger LOG = Logger.getLogger(TrainModelService.class);
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss").withZone(ZoneOffset.UTC);

    private final ModelInputRepository facts;
    private final StreamClockRepository streamClock;
    private final ModelRepository models;
    private final ModelRegistry registry;
    private final ScoreMembersService scoring;
    private final ObjectMapper json;
    private final ChurnConfig config;

    public TrainModelService(ModelInputRepository facts, StreamClockRepository streamClock, ModelRepository models,
            ModelRegistry registry, ScoreMembersService scoring, ObjectMapper json, ChurnConfig config) {
        this.facts = facts;
        this.streamClock = streamClock;
        this.models = models;
        this.registry = registry;
        this.scoring = scoring;
        this.json = json;
        this.config = config;
    }

    /** The longest horizon a training run or batch evaluation takes, in days. */
    public static final int MAX_HORIZON_DAYS = TrainingRun.MAX_HORIZON_DAYS;

    public int defaultHorizon() {
        return scoring.horizonDays();
    }

    /** The instant an as-of date names: the start of that day on the chain's calendar (ModelRegistry.dayZone). */
    public Instant startOf(LocalDate day) {
        return day.atStartOfDay(registry.dayZone()).toInstant();
    }

    public record Outcome(String version, String kind, boolean promoted, String decision, ModelMetrics validation) {
    }

    /** @param asOf facts known up to this instant (null: the event-time clock) */
    public synchronized Outcome train(Instant asOf, int horizonDays, TrainingProgress progress) {
        TrainingRun.checkHorizon(horizonDays);
        Instant clock = streamClock.watermark().await().indefinitely()
                .orElseThrow(() -> new io.memberpulse.churn.domain.NotEnoughDataException(
                        "too little data to train: no member events recorded yet"));
        Instant at = asOf != null ? TrainingRun.checkKnown(asOf, clock) : clock;
        TrainingRun run = TrainingRun.load(factsUpTo(asOf == null ? null : at), at, registry.extractor(horizonDays),
                horizonDays, registry.labelGuard(), progress);
        ChurnTraining.Result result = run.train(at, progress);
        progress.report(TrainingProgress.Stage.STORING, 0, 1);

        Instant trainedAt = Instant.now();
        String version = result.chosen().key() + "-" + STAMP.format(trainedAt) + "-" + trainedAt.getNano() / 1_000_000;
        ModelMetrics candidate = result.validation().get(result.chosen());
        scoring.followPromotedModel(); // the promoted model may be another replica's newer one: compare against that
        Function<Promotion.Serving, Promotion> decide = serving -> Promotion.decide(result.chosen(), at,
                result.validation(), result.plan().validationCutoff(), horizonDays, serving,
                () -> aucOnWindow(serving.version(), result), horizonDays == scoring.horizonDays(),
                config.churn().promotionMaxAucDrop());
        Promotion.Serving servingNow = serving(models.promotedSummary().await().indefinitely().orElse(null));
        Promotion decided = decide.apply(servingNow);

        TrainedChurnModel model = new TrainedChurnModel(version, result.model(),
                run.unlabelledAt(at).population().withProductWeights(result.productWeights()),
                registry.extractor(horizonDays));
        Map<String, List<BinaryMetrics.Bin>> curves = new LinkedHashMap<>();
        curves.put(result.chosen().key() + " (chosen)", candidate.reliability());
        curves.put("bgnbd", result.validation().get(ModelKind.BGNBD).reliability());
        curves.put("recency", result.validation().get(ModelKind.RECENCY).reliability());
        byte[] png = ReliabilityPlot.png("Reliability on the validation window, " + version, curves);
        byte[] modelBytes = result.model().toBytes();
        byte[] populationBytes = model.population().toBytes();
        Promotion promotion = store(decided, servingNow == null ? null : servingNow.version(), decide,
                outcome -> new ModelRepository.StoredModel(new ModelRepository.Summary(version, result.chosen().key(),
                        trainedAt, at, horizonDays, outcome.promote(), candidate.auc(), candidate.liftAt20(),
                        outcome.decision()), write(ModelReport.of(version, result, outcome.decision(),
                                model.population().bgNbd())), png, modelBytes, populationBytes));
        LOG.infof("model %s trained on %d examples (models fitted on %d); %s", version, result.trainingRows(),
                result.fittedRows(), promotion.decision());
        if (promotion.promote()) {
            registry.use(model); // the next refresh re-scores everyone with it: the last one named another model
        }
        progress.report(TrainingProgress.Stage.STORING, 1, 1);
        return new Outcome(version, result.chosen().key(), promotion.promote(), promotion.decision(), candidate);
    }

    /**
     * What a run with facts up to asOf reads: those at or before it (a backtest years back reads its years, not every
     * fact stored since); null: the event clock's run, every fact recorded. A fact at asOf itself is read: it lies in
     * the last label window (T, asOf]. PostgreSQL keeps microseconds, so "at or before" is "before the next one".
     */
    TrainingRun.FactsRead factsUpTo(Instant asOf) {
        if (asOf == null) {
            return new TrainingRun.FactsRead(facts.countFactsBefore(null), facts.activitiesOf(null),
                    facts.stockOuts(null, null));
        }
        Instant before = asOf.truncatedTo(ChronoUnit.MICROS).plus(1, ChronoUnit.MICROS);
        return new TrainingRun.FactsRead(facts.countFactsBefore(before), facts.activitiesBefore(before),
                facts.stockOuts(null, before));
    }

    /**
     * Stores the version, promoted or not as decided against the version promoted then (decidedAgainst; null: none).
     * Each replica trains on its own, and the run took minutes since it decided: when another replica promoted a
     * version meanwhile, the decision is taken again against that one (by the same rule, decide) and the version
     * stored as that says, under the registry lock (ModelRepository#insertIfPromotedIs). Otherwise the later commit
     * would demote a version it was never compared with: a backtest's over the nightly run on newer facts.
     *
     * @param stored the row to store for a decision (its promoted flag and decision are the decision's)
     * @return the decision the version was stored with
     */
    Promotion store(Promotion decided, String decidedAgainst, Function<Promotion.Serving, Promotion> decide,
            Function<Promotion, ModelRepository.StoredModel> stored) {
        Promotion promotion = decided;
        String against = decidedAgainst;
        while (true) {
            ModelRepository.Insertion insertion = models.insertIfPromotedIs(stored.apply(promotion), against)
                    .await().indefinitely();
            if (insertion.inserted()) {
                return promotion;
            }
            // another replica's promotion came first: decide against it (a replica promotes once per run, so this ends)
            LOG.infof("the promoted version changed from %s to %s during this run: deciding against that", against,
                    insertion.promotedNow() == null ? "none" : insertion.promotedNow().version());
            against = insertion.promotedNow() == null ? null : insertion.promotedNow().version();
            promotion = decide.apply(serving(insertion.promotedNow()));
        }
    }

    /** The promoted version as a decision compares against it; null when none is (the rhythm baseline scores). */
    static Promotion.Serving serving(ModelRepository.Summary promoted) {
        return promoted == null ? null : new Promotion.Serving(promoted.version(), ModelKind.ofKey(promoted.kind()),
                promoted.asOf(), promoted.horizonDays(), promoted.validationAuc());
    }

    /** A stored version's AUC on this run's validation window, on the features it builds (TrainedChurnModel#aucOn). */
    private double aucOnWindow(String version, ChurnTraining.Result result) {
        TrainedChurnModel serving = registry.version(version)
                .orElseThrow(() -> new IllegalStateException("the promoted version " + version + " is not stored"));
        return serving.aucOn(result.validationWindow());
    }

    private String write(ModelReport report) {
        try {
            return json.writeValueAsString(report);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("report not serialisable", e);
        }
    }
}
