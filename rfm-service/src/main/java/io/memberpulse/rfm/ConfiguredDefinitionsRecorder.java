package io.memberpulse.rfm;

import io.memberpulse.rfm.store.RuleSegmentRepository;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.time.Instant;
import org.jboss.logging.Logger;

/**
 * Records, at start, the configured default thresholds, lifecycle rules and margin rates (memberpulse.rfm.segments.*,
 * memberpulse.rfm.lifecycle.*, memberpulse.rfm.default-margin-rate, category-margin-rates) as a version of the
 * definitions when they differ from the version last recorded (configured_definition_history), so that a query with
 * definitions=asOf judges by the configuration in force then; SegmentDefinitions, which caches the versions, then reads them
 * again. Should the database not answer at start, it tries again at every rule reload until it has.
 */
@ApplicationScoped
public class ConfiguredDefinitionsRecorder {
    private static final Logger LOG = Logger.getLogger(ConfiguredDefinitionsRecorder.class);
    private final SegmentDefinitions segments;
    private final RuleSegmentRepository repository;
    private volatile boolean recorded;

    public ConfiguredDefinitionsRecorder(SegmentDefinitions segments, RuleSegmentRepository repository) {
        this.segments = segments;
        this.repository = repository;
    }

    void atStart(@Observes StartupEvent started) {
        record();
    }

    @Scheduled(every = "${memberpulse.rfm.rule-reload-every}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void untilRecorded() {
        if (!recorded) {
            record();
        }
    }

    /** Blocking. */
    void record() {
        Instant at = Instant.now();
        boolean added;
        try {
            added = repository.recordConfiguration(segments.configuration(), at).await().atMost(Duration.ofSeconds(30));
            recorded = true;
        } catch (RuntimeException e) {
            LOG.warnf("configured segment thresholds, lifecycle rules and margin rates not recorded yet, tried again at "
                    + "the next rule reload: %s", e.getMessage());
            return;
        }
        if (added) {
            LOG.infof("configured segment thresholds, lifecycle rules and margin rates recorded as in force from %s: %s", at,
                    segments.configuration());
            try {
                segments.reloadConfigurations();
            } catch (RuntimeException e) {
                LOG.warnf("configured definitions recorded, not read back yet (the next rule reload does): %s",
                        e.getMessage());
            }
        }
    }
}
