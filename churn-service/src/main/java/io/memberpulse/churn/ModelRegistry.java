package io.memberpulse.churn;

import io.memberpulse.churn.domain.features.FeatureExtractor;
import io.memberpulse.churn.domain.features.Population;
import io.memberpulse.churn.domain.model.ChurnClassifier;
import io.memberpulse.churn.domain.model.TrainedChurnModel;
import io.memberpulse.churn.store.ModelRepository;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.ZoneId;
import java.util.Optional;
import org.jboss.logging.Logger;

/** The promoted model that scores members, loaded at start and swapped when a better one is promoted. */
@ApplicationScoped
public class ModelRegistry {
    private static final Logger LOG = Logger.getLogger(ModelRegistry.class);

    private final ModelRepository repository;
    private final ChurnConfig config;
    private volatile TrainedChurnModel current;

    public ModelRegistry(ModelRepository repository, ChurnConfig config) {
        this.repository = repository;
        this.config = config;
    }

    void onStart(@Observes StartupEvent start) {
        reload();
    }

    /** Re-reads the promoted version from the database (none: the rhythm baseline scores). */
    public synchronized void reload() {
        current = repository.promoted().await().indefinitely().map(stored -> new TrainedChurnModel(
                stored.summary().version(), ChurnClassifier.fromBytes(stored.model()),
                Population.fromBytes(stored.population()), extractor(stored.summary().horizonDays()))).orElse(null);
        LOG.infof("scoring with %s", current == null ? "the rhythm baseline" : "model " + current.version());
    }

    public Optional<TrainedChurnModel> current() {
        return Optional.ofNullable(current);
    }

    void use(TrainedChurnModel model) {
        current = model;
    }

    FeatureExtractor extractor(int horizonDays) {
        return new FeatureExtractor(horizonDays, config.churn().defaultGapDays(), ZoneId.of(config.churn().dayZone()));
    }
}
