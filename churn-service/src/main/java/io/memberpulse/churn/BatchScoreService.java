package io.memberpulse.churn;

import io.memberpulse.churn.domain.InvalidInputException;
import io.memberpulse.churn.domain.features.Snapshot;
import io.memberpulse.churn.domain.model.ChurnTraining;
import io.memberpulse.churn.domain.model.TrainingProgress;
import io.memberpulse.churn.store.ChurnRepository;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * Batch evaluation (the launcher's {@code churn score}): a model trained only on the facts before
 * asOf, exactly as training on demand would train one with facts up to asOf (labels from cut-offs at
 * least one horizon earlier), scores every member who bought before asOf. Nothing is stored or
 * promoted; facts at or after asOf are never read. One batch at a time. Blocking.
 */
@ApplicationScoped
public class BatchScoreService {
    private static final Logger LOG = Logger.getLogger(BatchScoreService.class);

    private final ChurnRepository facts;
    private final ModelRegistry registry;

    public BatchScoreService(ChurnRepository facts, ModelRegistry registry) {
        this.facts = facts;
        this.registry = registry;
    }

    /** A member's churn probability; memberNo null when the member has none. */
    public record Row(String memberId, String memberNo, double churnProbability) {
    }

    /** The scores, sorted by member id, and the model kind that produced them. */
    public record Batch(Instant asOf, int horizonDays, String kind, List<Row> rows) {
    }

    public synchronized Batch score(Instant asOf, int horizonDays, TrainingProgress progress) {
        if (asOf == null) {
            throw new InvalidInputException("asOf", "is required (a date such as 2011-09-10)");
        }
        TrainingRun.checkHorizon(horizonDays);
        long started = System.nanoTime();
        TrainingRun run = TrainingRun.load(facts.activitiesBefore(asOf), facts.stockOuts(null, asOf),
                registry.extractor(horizonDays), horizonDays, progress);
        ChurnTraining.Result result = run.train(asOf, progress);
        progress.report(TrainingProgress.Stage.SCORING, 0, 1);
        Snapshot members = result.forScoring(run.unlabelledAt(asOf));
        double[] p = result.model().predict(members.features());
        Map<String, String> numbers = facts.memberNumbers().await().indefinitely();
        List<Row> rows = new ArrayList<>(members.size());
        for (int i = 0; i < members.size(); i++) {
            String member = members.memberIds().get(i);
            rows.add(new Row(member, numbers.get(member), p[i]));
        }
        rows.sort(Comparator.comparing(Row::memberId));
        progress.report(TrainingProgress.Stage.SCORING, 1, 1);
        LOG.infof("batch score as of %s, horizon %d days: %s trained on %d examples scored %d members in %d ms",
                asOf, horizonDays, result.chosen().key(), result.trainingRows(), rows.size(),
                (System.nanoTime() - started) / 1_000_000);
        return new Batch(asOf, horizonDays, result.chosen().key(), rows);
    }
}
