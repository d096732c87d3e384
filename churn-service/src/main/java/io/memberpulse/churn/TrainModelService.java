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
import io.memberpulse.churn.store.ChurnRepository;
import io.memberpulse.churn.store.ModelRepository;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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

    private final ChurnRepository facts;
    private final ModelRepository models;
    private final ModelRegistry registry;
    private final ScoreMembersService scoring;
    private final ObjectMapper json;
    private final ChurnConfig config;

    public TrainModelService(ChurnRepository facts, ModelRepository models, ModelRegistry registry,
            ScoreMembersService scoring, ObjectMapper json, ChurnConfig config) {
        this.facts = facts;
        this.models = models;
        this.registry = registry;
        this.scoring = scoring;
        this.json = json;
        this.config = config;
    }

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
        Instant clock = facts.watermark().await().indefinitely()
                .orElseThrow(() -> new io.memberpulse.churn.domain.NotEnoughDataException(
                        "too little data to train: no member events recorded yet"));
        Instant at = asOf != null ? TrainingRun.checkKnown(asOf, clock) : clock;
        TrainingRun run = TrainingRun.load(facts.activitiesOf(null), facts.stockOuts(null, null),
                registry.extractor(horizonDays), horizonDays, registry.labelGuard(), progress);
        ChurnTraining.Result result = run.train(at, progress);
        progress.report(TrainingProgress.Stage.STORING, 0, 1);

        Instant trainedAt = Instant.now();
        String version = result.chosen().key() + "-" + STAMP.format(trainedAt) + "-" + trainedAt.getNano() / 1_000_000;
        ModelMetrics candidate = result.validation().get(result.chosen());
        scoring.followPromotedModel(); // the promoted model may be another replica's newer one: compare against that
        TrainedChurnModel current = registry.current().orElse(null);
        Promotion.Serving serving = current == null ? null : models.summaryAndReport(current.version()).await()
                .indefinitely().map(stored -> new Promotion.Serving(current.version(), current.classifier().kind(),
                        stored.summary().asOf(), stored.summary().horizonDays(), stored.summary().validationAuc()))
                .orElse(null);
        Promotion promotion = Promotion.decide(result.chosen(), at, result.validation(), result.plan().validationCutoff(),
                horizonDays, serving, () -> BinaryMetrics.auc(current.classifier().predict(result.validationWindow()
                        .features()), result.validationWindow().churned()), horizonDays == scoring.horizonDays(),
                config.churn().promotionMaxAucDrop());
        boolean promote = promotion.promote();
        String decision = promotion.decision();

        TrainedChurnModel model = new TrainedChurnModel(version, result.model(),
                run.unlabelledAt(at).population().withProductWeights(result.productWeights()),
                registry.extractor(horizonDays));
        ModelReport report = ModelReport.of(version, result, decision, model.population().bgNbd());
        Map<String, List<BinaryMetrics.Bin>> curves = new LinkedHashMap<>();
        curves.put(result.chosen().key() + " (chosen)", candidate.reliability());
        curves.put("bgnbd", result.validation().get(ModelKind.BGNBD).reliability());
        curves.put("recency", result.validation().get(ModelKind.RECENCY).reliability());
        byte[] png = ReliabilityPlot.png("Reliability on the validation window, " + version, curves);
        models.insert(new ModelRepository.StoredModel(new ModelRepository.Summary(version, result.chosen().key(),
                trainedAt, at, horizonDays, promote, candidate.auc(), candidate.liftAt20(), decision), write(report), png,
                result.model().toBytes(), model.population().toBytes())).await().indefinitely();
        LOG.infof("model %s trained on %d examples (models fitted on %d); %s", version, result.trainingRows(),
                result.fittedRows(), decision);
        if (promote) {
            registry.use(model); // the next refresh re-scores everyone with it: the last one named another model
        }
        progress.report(TrainingProgress.Stage.STORING, 1, 1);
        return new Outcome(version, result.chosen().key(), promote, decision, candidate);
    }

    private String write(ModelReport report) {
        try {
            return json.writeValueAsString(report);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("report not serialisable", e);
        }
    }
}
