package io.memberpulse.churn;

import io.memberpulse.churn.domain.InvalidInputException;
import io.memberpulse.churn.domain.features.Snapshot;
import io.memberpulse.churn.domain.NotEnoughDataException;
import io.memberpulse.churn.domain.model.ChurnClassifier;
import io.memberpulse.churn.domain.model.ChurnTraining;
import io.memberpulse.churn.domain.model.ModelKind;
import io.memberpulse.churn.domain.model.TrainingProgress;
import io.memberpulse.churn.store.ModelInputRepository;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * Batch evaluation (the launcher's {@code churn score}): a model trained only on the facts before
 * asOf, exactly as training on demand would train one with facts up to asOf (labels from cut-offs at
 * least one horizon earlier), scores every member who bought before asOf. Nothing is stored or
 * promoted; facts at or after asOf are never read. One batch at a time. Blocking.
 *
 * <p>Where the history is too short for that, the batch still ranks members, as far as the history allows,
 * and says how ({@link Batch#basis()}): history that reaches one horizon back but not two has no validation
 * window to choose a kind on, so the blend is trained without one; history with too few labelled members for
 * any training is scored by BG/NBD's probability of no purchase within the horizon, fitted to the purchases
 * alone. Only when even that is impossible (no member bought before asOf) does it fail, or when the purchase feed
 * fell silent in the horizon before asOf (LabelOutageException: the labels there would be wrong).
 */
@ApplicationScoped
public class BatchScoreService {
    private static final Logger LOG = Logger.getLogger(BatchScoreService.class);
    /** Trained without validation: the mean of LR and boosted trees, the kind chosen on Online Retail's test cut-off. */
    static final ModelKind UNVALIDATED_KIND = ModelKind.BLEND;

    private final ModelInputRepository facts;
    private final ModelRegistry registry;

    public BatchScoreService(ModelInputRepository facts, ModelRegistry registry) {
        this.facts = facts;
        this.registry = registry;
    }

    /** A member's churn probability; memberNo null when the member has none. */
    public record Row(String memberId, String memberNo, double churnProbability) {
    }

    /**
     * The scores, sorted by member id, the model kind that produced them and, in a sentence, how it was chosen
     * and trained.
     */
    public record Batch(Instant asOf, int horizonDays, String kind, String basis, List<Row> rows) {
    }

    /**
     * A model ready to score the members as of asOf, with the snapshot it reads and how it came about; training is
     * the run behind it, null where none was trained.
     */
    record Fitted(ModelKind kind, ChurnClassifier model, Snapshot members, String basis, int trainingRows,
            ChurnTraining.Result training) {
    }

    public synchronized Batch score(Instant asOf, int horizonDays, TrainingProgress progress) {
        if (asOf == null) {
            throw new InvalidInputException("asOf", "is required (a date such as 2011-09-10)");
        }
        TrainingRun.checkHorizon(horizonDays);
        long started = System.nanoTime();
        TrainingRun run = TrainingRun.load(new TrainingRun.FactsRead(facts.countFactsBefore(asOf),
                facts.activitiesBefore(asOf), facts.stockOuts(null, asOf)), asOf.minusNanos(1),
                registry.extractor(horizonDays), horizonDays, registry.labelGuard(), progress);
        Fitted fitted = fit(run, asOf, progress);
        progress.report(TrainingProgress.Stage.SCORING, 0, 1);
        double[] p = fitted.model().predict(fitted.members().features());
        Map<String, String> numbers = facts.memberNumbers().await().indefinitely();
        List<Row> rows = new ArrayList<>(fitted.members().size());
        for (int i = 0; i < fitted.members().size(); i++) {
            String member = fitted.members().memberIds().get(i);
            rows.add(new Row(member, numbers.get(member), p[i]));
        }
        rows.sort(Comparator.comparing(Row::memberId));
        progress.report(TrainingProgress.Stage.SCORING, 1, 1);
        LOG.infof("batch score as of %s, horizon %d days: %s trained on %d examples scored %d members in %d ms (%s)",
                asOf, horizonDays, fitted.kind().key(), fitted.trainingRows(), rows.size(),
                (System.nanoTime() - started) / 1_000_000, fitted.basis());
        return new Batch(asOf, horizonDays, fitted.kind().key(), fitted.basis(), rows);
    }

    private static String trainedOn(int examples) {
        return String.format(Locale.ROOT, "trained on %,d examples", examples);
    }

    /**
     * The best model the history allows, for a run over the facts before asOf: chosen on validation, else trained
     * unvalidated, else BG/NBD, else (too few buyers to fit even that) the rhythm baseline.
     *
     * <p>Everything is cut as of the last instant before asOf, the last one whose facts were read. Cut at asOf itself,
     * the last cut-off's label window (T, T + H] would end on an instant never read: a purchase there (every purchase
     * of date-only data is at midnight) would be missing from the window, and its member taught as churned. So each
     * label window holds the H whole days [T, T + H) of facts read, as the scored members' horizon [asOf, asOf + H)
     * does.
     */
    static Fitted fit(TrainingRun run, Instant asOf, TrainingProgress progress) {
        Instant lastRead = asOf.minusNanos(1);
        NotEnoughDataException tooShort;
        try {
            ChurnTraining.Result result = run.train(lastRead, progress);
            return new Fitted(result.chosen(), result.model(), result.forScoring(run.unlabelledAt(lastRead)),
                    "chosen on the validation window from " + result.plan().validationCutoff().plusNanos(1) + " (AUC "
                            + String.format(Locale.ROOT, "%.3f", result.validation().get(result.chosen()).auc())
                            + "), " + trainedOn(result.trainingRows()),
                    result.trainingRows(), result);
        } catch (NotEnoughDataException e) {
            tooShort = e;
        }
        try {
            ChurnTraining.Result result = run.trainWithoutValidation(lastRead, UNVALIDATED_KIND, progress);
            return new Fitted(result.chosen(), result.model(), result.forScoring(run.unlabelledAt(lastRead)),
                    "not validated (" + tooShort.getMessage() + "): " + trainedOn(result.trainingRows()),
                    result.trainingRows(), result);
        } catch (NotEnoughDataException e) {
            tooShort = e;
        }
        Snapshot members = run.unlabelledAt(lastRead);
        if (members.size() == 0) {
            throw new NotEnoughDataException("too little data: no member bought before " + asOf + ", so there is no one to score");
        }
        if (members.population().bgNbd() == null) {
            // too few buyers to fit BG/NBD (or no fit): its column is empty and would score everyone 0.5
            return new Fitted(ModelKind.RHYTHM, ChurnClassifier.withoutLabels(ModelKind.RHYTHM), members,
                    "not trained (" + tooShort.getMessage() + "), and too few buyers to fit BG/NBD: each member's"
                            + " recency against their own rhythm of purchases", 0, null);
        }
        return new Fitted(ModelKind.BGNBD, ChurnClassifier.withoutLabels(ModelKind.BGNBD), members,
                "not trained (" + tooShort.getMessage() + "): BG/NBD's probability of no purchase within the horizon,"
                        + " fitted to the purchases before as-of", 0, null);
    }
}
