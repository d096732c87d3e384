package io.memberpulse.churn;

import io.memberpulse.churn.domain.features.FeatureExtractor;
import io.memberpulse.churn.domain.features.Population;
import io.memberpulse.churn.domain.model.ChurnClassifier;
import io.memberpulse.churn.domain.model.LabelGuard;
import io.memberpulse.churn.domain.model.TrainedChurnModel;
import io.memberpulse.churn.store.ModelRepository;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.ZoneId;
import java.util.Optional;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * The promoted model that scores members: loaded at start, swapped when this replica promotes a better one,
 * and followed when another replica does (the database's promoted version is the one that scores).
 */
@ApplicationScoped
public class ModelRegistry {
    private static final Logger LOG = Logger.getLogger(ModelRegistry.class);

    private final ModelRepository repository;
    private final ChurnConfig config;
    private volatile TrainedChurnModel current;
    /** The last version loaded for an explanation that was not the one scoring (see version()). */
    private volatile TrainedChurnModel explained;

    public ModelRegistry(ModelRepository repository, ChurnConfig config) {
        this.repository = repository;
        this.config = config;
    }

    void onStart(@Observes StartupEvent start) {
        labelGuard(); // a wrong setting fails the start, not the first run hours later
        reload();
    }

    /** Re-reads the promoted version from the database (none: the rhythm baseline scores). */
    public synchronized void reload() {
        current = repository.promoted().await().indefinitely().map(this::loaded).orElse(null);
        LOG.infof("scoring with %s", current == null ? "the rhythm baseline" : "model " + current.version());
    }

    /**
     * Loads the promoted version when it is not the one in use: promoted by another replica, or taken out
     * of service there. Cheap when nothing changed (one query for the version). True when it changed.
     */
    public synchronized boolean follow() {
        Optional<String> promoted = repository.promotedVersion().await().indefinitely();
        if (promoted.equals(current().map(TrainedChurnModel::version))) {
            return false;
        }
        reload();
        return true;
    }

    /**
     * A stored version as it scores: the one in use when it is that, else read from the database (a score made by
     * the version before a promotion, until the next refresh re-scores it). Empty for a version no longer stored.
     * Blocking.
     */
    public Optional<TrainedChurnModel> version(String version) {
        TrainedChurnModel inUse = current;
        if (inUse != null && inUse.version().equals(version)) {
            return Optional.of(inUse);
        }
        TrainedChurnModel last = explained;
        if (last != null && last.version().equals(version)) {
            return Optional.of(last);
        }
        Optional<TrainedChurnModel> found = repository.model(version).await().indefinitely().map(this::loaded);
        found.ifPresent(model -> explained = model);
        return found;
    }

    private TrainedChurnModel loaded(ModelRepository.StoredModel stored) {
        return new TrainedChurnModel(stored.summary().version(), ChurnClassifier.fromBytes(stored.model()),
                Population.fromBytes(stored.population()), extractor(stored.summary().horizonDays()));
    }

    public Optional<TrainedChurnModel> current() {
        return Optional.ofNullable(current);
    }

    synchronized void use(TrainedChurnModel model) {
        current = model;
    }

    /** The purchase-feed silences that refuse a training run (TrainingRun, LabelOutage); LabelGuard checks them. */
    LabelGuard labelGuard() {
        return new LabelGuard(config.churn().labelOutageDays(),
                config.churn().labelOutageClosedChannels().orElse(Set.of()));
    }

    FeatureExtractor extractor(int horizonDays) {
        return new FeatureExtractor(horizonDays, config.churn().defaultGapDays(), dayZone());
    }

    /**
     * The chain's calendar (memberpulse.churn.day-zone): the days the features count, and the day an as-of date names
     * (its start there), so that a date cuts the facts where the features' days begin.
     */
    public ZoneId dayZone() {
        return ZoneId.of(config.churn().dayZone());
    }
}
