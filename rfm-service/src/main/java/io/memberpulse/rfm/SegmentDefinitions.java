package io.memberpulse.rfm;

import io.memberpulse.rfm.domain.ConfigurationHistory;
import io.memberpulse.rfm.domain.ConfiguredDefinitions;
import io.memberpulse.rfm.domain.DefaultSegments;
import io.memberpulse.rfm.domain.InvalidThresholdException;
import io.memberpulse.rfm.domain.LifecycleRules;
import io.memberpulse.rfm.domain.LifecycleStage;
import io.memberpulse.rfm.domain.MarginRates;
import io.memberpulse.rfm.domain.MemberHistory;
import io.memberpulse.rfm.domain.MemberTags;
import io.memberpulse.rfm.domain.Rfm;
import io.memberpulse.rfm.domain.Tag;
import io.memberpulse.rfm.domain.rules.DefinedSegment;
import io.memberpulse.rfm.domain.rules.InvalidRuleException;
import io.memberpulse.rfm.domain.rules.MemberAttributes;
import io.memberpulse.rfm.domain.rules.SegmentMembership;
import io.memberpulse.rfm.domain.rules.SegmentRuleCompiler;
import io.memberpulse.rfm.store.RuleSegmentRepository;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * Every segment a member can be in: the default RFM segments, the lifecycle stage ("stage:…") and the
 * business-defined CEL rules, compiled once and kept in memory. The rules and the default segments'
 * thresholds changed while running live in PostgreSQL, shared by every replica: loaded at first use
 * and polled, so a change made on one replica reaches the others. They are held with their version
 * (RuleSegmentRepository.version): a replica writes rows only with the definitions of the version stored
 * (MemberRowRepository's writes check it), and reloads them at once when that check finds a newer one. The versions of the
 * configured definitions (configured_definition_history), which as-of queries read, are cached beside them: read at
 * each reload and after this replica's own start recorded one (ConfiguredDefinitionsRecorder), never per query. The
 * table changes only when a replica starts, so another replica's start is seen at the next reload here.
 */
@ApplicationScoped
public class SegmentDefinitions {
    private static final Logger LOG = Logger.getLogger(SegmentDefinitions.class);
    private final SegmentRuleCompiler compiler = new SegmentRuleCompiler();
    /** memberpulse.rfm.segments.* (before any change made while running) and memberpulse.rfm.lifecycle.*. */
    private final ConfiguredDefinitions configuration;
    private final LifecycleRules lifecycle;
    /** The thresholds of memberpulse.rfm.segments.*, before any change made while running. */
    private final DefaultSegments configured;
    private final RuleSegmentRepository repository;
    /** memberpulse.rfm.day-zone: the calendar of date tags. */
    private final ZoneId dayZone;
    /**
     * Reloads of the definitions in a row, each because a write found them changed again meanwhile, before a
     * computation gives up (MemberRecomputation, RecomputeRfmService: both count with DefinitionReloads).
     */
    static final int DEFINITION_RELOADS = 10;
    private volatile InForce current;
    /** Every version of the configured definitions, in the order recorded: set before current is first. */
    private volatile List<ConfigurationHistory.Version> configurationHistory;

    /**
     * What is in force: the rules by id, the default segments with their thresholds and the lifecycle rules, as stored
     * at that version of the definitions (or later: the version is read before them) over the configuration.
     */
    public record InForce(long version, Map<String, DefinedSegment> rules, List<RuleSegmentRepository.StoredThresholds> thresholds,
            DefaultSegments defaults, LifecycleRules lifecycle) {
    }

    public SegmentDefinitions(RfmConfig config, RuleSegmentRepository repository) {
        var stages = config.rfm().lifecycle();
        this.lifecycle = new LifecycleRules(stages.dormantDays(), stages.atRiskDays(), stages.loyalOrders90d(),
                stages.loyalMonetary90d());
        var thresholds = config.rfm().segments();
        this.configuration = new ConfiguredDefinitions(active(thresholds.highValueActive()), active(thresholds.potential()),
                new DefaultSegments.Fading(thresholds.churnEdge().minRecencyDays(), thresholds.churnEdge().maxOrders30d(),
                        thresholds.churnEdge().maxMonetary30d(), lifecycle.dormantDays()), lifecycle,
                config.rfm().marginRates());
        this.configured = configuration.defaults();
        this.repository = repository;
        this.dayZone = config.rfm().dayZone();
    }

    /** The definitions in force now, with their version: a writer computes a whole write with one of them. */
    public InForce inForce() {
        return definitions();
    }

    /** The running configuration's thresholds, lifecycle rules and margin rates, as a start records them. */
    public ConfiguredDefinitions configuration() {
        return configuration;
    }

    /**
     * The definitions in force at an instant of the service's clock (segment_definition_history): the rules defined
     * by then and not retired, each with its text then, and the thresholds then, over the configured thresholds and
     * lifecycle rules in force then (configured_definition_history as last read: before its first version the
     * earliest, as ConfigurationHistory chooses; the running ones while none is recorded). Rules are
     * compiled again unless in force now with the same text; one that no longer compiles (the rule language changed
     * since) is left out with a warning. The version is -1: these are never written with.
     */
    public Uni<InForce> inForceAt(Instant at) {
        Map<String, DefinedSegment> known = definitions().rules(); // here: its first load blocks, so not on the event loop
        List<ConfigurationHistory.Version> versions = configurationHistory; // loaded with the rules
        return repository.allAt(at).flatMap(stored -> repository.thresholdsAt(at)
                .map(thresholds -> inForceAt(at, known, stored, thresholds, versions)));
    }

    /**
     * The margin rates in force at an instant of the service's clock (configured_definition_history as last read; a
     * version recorded before rates were takes the earliest recorded, ConfigurationHistory.marginRatesAt; the running
     * ones while none is recorded), for weighted F and margin M with definitions=asOf. No query: the versions are
     * cached. Blocking at the first load of the definitions.
     */
    public MarginRates marginRatesAt(Instant at) {
        definitions(); // loads the versions with the rules the first time
        return ConfigurationHistory.marginRatesAt(configurationHistory, at).orElse(configuration.marginRates());
    }

    private InForce inForceAt(Instant at, Map<String, DefinedSegment> known, List<RuleSegmentRepository.StoredRule> stored,
            List<RuleSegmentRepository.StoredThresholds> thresholds, List<ConfigurationHistory.Version> versions) {
        ConfiguredDefinitions then = ConfigurationHistory.at(versions, at).map(inForce -> {
            if (inForce.assumed()) {
                LOG.debugf("%s is before the first configuration recorded; the earliest, from %s, is taken as in force",
                        at, inForce.version().validFrom());
            }
            return inForce.version().definitions();
        }).orElse(configuration);
        Map<String, DefinedSegment> rules = compile(stored, known,
                "rule of %s in force at " + at + " no longer compiles, left out: %s");
        return new InForce(-1, rules, List.copyOf(thresholds), apply(then.defaults(), thresholds), then.lifecycle());
    }

    /** Who is in which segment by these definitions (a member's row at a clock: rowAt), dates in the chain's calendar. */
    public SegmentMembership membership(InForce definitions) {
        return new SegmentMembership(definitions.defaults(), definitions.lifecycle(), definitions.rules().values(), dayZone);
    }

    /** Every segment id a member can be in now: the default segments, the lifecycle stages and the rules. */
    public Set<String> ids() {
        Set<String> ids = new LinkedHashSet<>();
        defaults().rules().forEach(rule -> ids.add(rule.id()));
        for (LifecycleStage stage : LifecycleStage.values()) {
            ids.add(stage.segmentId());
        }
        all().forEach(rule -> ids.add(rule.id()));
        return ids;
    }

    /** What a rule sees of the member, with the default segments and stage in force. */
    public Map<String, Object> attributesOf(Rfm rfm, MemberHistory history) {
        return MemberAttributes.of(rfm, stageOf(rfm), defaultSegmentsOf(rfm), history, dayZone);
    }

    /** Every tag of the member, dates in the chain's calendar. */
    public List<Tag> tagsOf(Rfm rfm, LifecycleStage stage, MemberHistory history) {
        return MemberTags.of(rfm, stage, history, dayZone);
    }

    /** The default segments (thresholds in force) a member's RFM puts it in. */
    public Set<String> defaultSegmentsOf(Rfm rfm) {
        return defaults().of(rfm);
    }

    public DefaultSegments defaults() {
        return definitions().defaults();
    }

    public LifecycleStage stageOf(Rfm rfm) {
        return lifecycle.stageOf(rfm);
    }

    /** Compiles without saving; throws InvalidRuleException with the position and reason. */
    public SegmentRuleCompiler.CompiledRule check(String expression) {
        return compiler.compile(expression);
    }

    public List<DefinedSegment> all() {
        return List.copyOf(definitions().rules().values());
    }

    public boolean exists(String id) {
        return definitions().rules().containsKey(id) || DefaultSegments.isDefault(id)
                || java.util.Arrays.stream(LifecycleStage.values()).anyMatch(s -> s.segmentId().equals(id));
    }

    /** True for a business-defined segment, which can be changed or retired; the others are configured. */
    public boolean isDefinedByRule(String id) {
        return definitions().rules().containsKey(id);
    }

    /**
     * The default segments with one segment's thresholds changed, checked but not applied: throws
     * InvalidThresholdException naming a threshold out of range.
     */
    public DefaultSegments withThresholds(RuleSegmentRepository.StoredThresholds thresholds) {
        return defaults().withThresholds(thresholds.segmentId(), thresholds.recencyDays(), thresholds.orders30d(),
                thresholds.monetary30d());
    }

    private static DefaultSegments.Active active(RfmConfig.Active threshold) {
        return new DefaultSegments.Active(threshold.maxRecencyDays(), threshold.minOrders30d(), threshold.minMonetary30d());
    }

    /**
     * Picks up what another replica defined, changed or retired (they share the database): every
     * replica polls the stored definitions and swaps in the new set when it differs. The replica that
     * made the change reloads at once after storing it (DefineSegmentService) and re-evaluates everyone;
     * a replica whose write found newer definitions stored reloads at once too (MemberRecomputation,
     * RecomputeRfmService). Each reload also reads the versions of the configured definitions, which change only when
     * a replica starts (no version of the definitions is raised then, so nothing else would tell). Blocking.
     */
    @Scheduled(every = "${memberpulse.rfm.rule-reload-every}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void reload() {
        // One reload at a time, each reading the store after any earlier one: a reload that read before a change was
        // stored cannot swap its definitions in after one that read it (which would drop a rule just defined).
        synchronized (this) {
            long version = repository.version().await().indefinitely(); // first: what follows is at least this new
            List<RuleSegmentRepository.StoredRule> stored = repository.all().await().indefinitely();
            List<RuleSegmentRepository.StoredThresholds> thresholds = repository.thresholds().await().indefinitely();
            configurationHistory = repository.configurations().await().indefinitely();
            InForce now = current;
            if (now != null && sameDefinitions(now.rules(), stored) && now.thresholds().equals(thresholds)) {
                if (now.version() != version) {
                    current = new InForce(version, now.rules(), now.thresholds(), now.defaults(), now.lifecycle());
                }
                return;
            }
            current = load(version, stored, thresholds, now == null ? Map.of() : now.rules());
        }
    }

    /**
     * Reads the versions of the configured definitions again: after this replica's start recorded one, so that its
     * as-of queries see it at once rather than at the next reload. Blocking.
     */
    public void reloadConfigurations() {
        synchronized (this) { // after any reload under way, so that what it read does not replace what this reads
            configurationHistory = repository.configurations().await().indefinitely();
        }
    }

    private static boolean sameDefinitions(Map<String, DefinedSegment> current, List<RuleSegmentRepository.StoredRule> stored) {
        return current.size() == stored.size() && stored.stream().allMatch(rule -> {
            DefinedSegment known = current.get(rule.id());
            return known != null && known.name().equals(rule.name()) && known.rule().expression().equals(rule.expression());
        });
    }

    private InForce load(long version, List<RuleSegmentRepository.StoredRule> stored,
            List<RuleSegmentRepository.StoredThresholds> thresholds, Map<String, DefinedSegment> known) {
        // A rule saved before today's checks (a regex too costly to evaluate per member) would stall the stream.
        Map<String, DefinedSegment> loaded = compile(stored, known,
                "stored rule of segment %s is refused by the checks on save, left out until changed: %s");
        return new InForce(version, loaded, List.copyOf(thresholds), apply(configured, thresholds), lifecycle);
    }

    /**
     * The stored rules compiled, each reusing the compiled rule of the one known with the same text; a rule that does
     * not compile is left out with the warning (a format of the segment id and the reason).
     */
    private Map<String, DefinedSegment> compile(List<RuleSegmentRepository.StoredRule> stored, Map<String, DefinedSegment> known,
            String leftOutWarning) {
        Map<String, DefinedSegment> compiled = new LinkedHashMap<>();
        for (var rule : stored) {
            DefinedSegment same = known.get(rule.id());
            try {
                compiled.put(rule.id(), new DefinedSegment(rule.id(), rule.name(),
                        same != null && same.rule().expression().equals(rule.expression()) ? same.rule()
                                : compiler.compile(rule.expression())));
            } catch (InvalidRuleException e) {
                LOG.warnf(leftOutWarning, rule.id(), e.getMessage());
            }
        }
        return compiled;
    }

    /**
     * The configured default segments (running, or in force at an as-of instant) with the stored changes applied over
     * them. A stored change the configuration has since made invalid (lifecycle.dormant-days lowered below a stored
     * churn-edge min-recency-days) is skipped with a warning: the configured thresholds stand until it is changed again.
     */
    private static DefaultSegments apply(DefaultSegments configured, List<RuleSegmentRepository.StoredThresholds> thresholds) {
        DefaultSegments defaults = configured;
        for (var t : thresholds) {
            try {
                defaults = defaults.withThresholds(t.segmentId(), t.recencyDays(), t.orders30d(), t.monetary30d());
            } catch (InvalidThresholdException e) {
                LOG.warnf("stored thresholds of %s not applied, the configured ones stand: %s", t.segmentId(), e.getMessage());
            }
        }
        return defaults;
    }

    private InForce definitions() {
        InForce now = current;
        if (now == null) {
            synchronized (this) {
                if (current == null) {
                    long version = repository.version().await().indefinitely();
                    configurationHistory = repository.configurations().await().indefinitely();
                    current = load(version, repository.all().await().indefinitely(),
                            repository.thresholds().await().indefinitely(), Map.of());
                }
                now = current;
            }
        }
        return now;
    }
}
