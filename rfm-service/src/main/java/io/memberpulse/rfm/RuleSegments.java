package io.memberpulse.rfm;

import io.memberpulse.rfm.domain.DefaultSegments;
import io.memberpulse.rfm.domain.LifecycleRules;
import io.memberpulse.rfm.domain.LifecycleStage;
import io.memberpulse.rfm.domain.MemberHistory;
import io.memberpulse.rfm.domain.Rfm;
import io.memberpulse.rfm.domain.rules.MemberAttributes;
import io.memberpulse.rfm.domain.rules.SegmentRuleCompiler;
import io.memberpulse.rfm.store.RuleSegmentRepository;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Every segment a member can be in: the default RFM segments, the lifecycle stage ("stage:…") and the
 * business-defined CEL rules, compiled once and kept in memory (loaded from PostgreSQL at start).
 */
@ApplicationScoped
public class RuleSegments {
    private final SegmentRuleCompiler compiler = new SegmentRuleCompiler();
    private final LifecycleRules lifecycle;
    private final DefaultSegments defaults;
    private final RuleSegmentRepository repository;
    private volatile Map<String, Defined> rules;

    /** A business-defined segment and its compiled rule. */
    public record Defined(String id, String name, SegmentRuleCompiler.CompiledRule rule) {
    }

    public RuleSegments(RfmConfig config, RuleSegmentRepository repository) {
        var stages = config.rfm().lifecycle();
        this.lifecycle = new LifecycleRules(stages.dormantDays(), stages.atRiskDays(), stages.loyalOrders90d(),
                stages.loyalMonetary90d());
        var thresholds = config.rfm().segments();
        this.defaults = new DefaultSegments(active(thresholds.highValueActive()), active(thresholds.potential()),
                new DefaultSegments.Fading(thresholds.churnEdge().minRecencyDays(), thresholds.churnEdge().maxOrders30d(),
                        thresholds.churnEdge().maxMonetary30d()));
        this.repository = repository;
    }

    /** All the segment ids this member is in. */
    public Set<String> segmentsOf(Rfm rfm, MemberHistory history) {
        Set<String> defaults = this.defaults.of(rfm);
        LifecycleStage stage = lifecycle.stageOf(rfm);
        Set<String> segments = new LinkedHashSet<>(defaults);
        if (stage != null) {
            segments.add(stage.segmentId());
        }
        Map<String, Defined> defined = defined();
        if (!defined.isEmpty()) {
            Map<String, Object> attributes = MemberAttributes.of(rfm, stage, defaults, history);
            for (Defined segment : defined.values()) {
                if (segment.rule().matches(attributes)) {
                    segments.add(segment.id());
                }
            }
        }
        return segments;
    }

    /** The default segments (configured thresholds) a member's RFM puts it in. */
    public Set<String> defaultSegmentsOf(Rfm rfm) {
        return defaults.of(rfm);
    }

    public DefaultSegments defaults() {
        return defaults;
    }

    public LifecycleStage stageOf(Rfm rfm) {
        return lifecycle.stageOf(rfm);
    }

    /** Compiles without saving; throws InvalidRuleException with the position and reason. */
    public SegmentRuleCompiler.CompiledRule check(String expression) {
        return compiler.compile(expression);
    }

    public List<Defined> all() {
        return List.copyOf(defined().values());
    }

    public boolean exists(String id) {
        return defined().containsKey(id) || DefaultSegments.isDefault(id)
                || java.util.Arrays.stream(LifecycleStage.values()).anyMatch(s -> s.segmentId().equals(id));
    }

    /** Adds a checked rule, or replaces the one of that id (the caller stored it). */
    public synchronized void put(String id, String name, SegmentRuleCompiler.CompiledRule rule) {
        Map<String, Defined> next = new LinkedHashMap<>(defined());
        next.put(id, new Defined(id, name, rule));
        rules = next;
    }

    /** Forgets a rule (the caller deleted it). */
    public synchronized void remove(String id) {
        Map<String, Defined> next = new LinkedHashMap<>(defined());
        next.remove(id);
        rules = next;
    }

    /** True for a business-defined segment, which can be changed or retired; the others are configured. */
    public boolean isDefinedByRule(String id) {
        return defined().containsKey(id);
    }

    private static DefaultSegments.Active active(RfmConfig.Active threshold) {
        return new DefaultSegments.Active(threshold.maxRecencyDays(), threshold.minOrders30d(), threshold.minMonetary30d());
    }

    /**
     * Picks up segments another replica defined (they share the database): every replica polls the
     * stored definitions and swaps in the new set when it differs. The defining replica backfills.
     */
    @Scheduled(every = "${memberpulse.rfm.rule-reload-every}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void reload() {
        List<RuleSegmentRepository.StoredRule> stored = repository.all().await().indefinitely();
        synchronized (this) {
            Map<String, Defined> current = rules;
            if (current != null && sameDefinitions(current, stored)) {
                return;
            }
            rules = compile(stored, current == null ? Map.of() : current);
        }
    }

    private static boolean sameDefinitions(Map<String, Defined> current, List<RuleSegmentRepository.StoredRule> stored) {
        return current.size() == stored.size() && stored.stream().allMatch(rule -> {
            Defined known = current.get(rule.id());
            return known != null && known.name().equals(rule.name()) && known.rule().expression().equals(rule.expression());
        });
    }

    private Map<String, Defined> compile(List<RuleSegmentRepository.StoredRule> stored, Map<String, Defined> known) {
        Map<String, Defined> loaded = new LinkedHashMap<>();
        for (var rule : stored) {
            Defined same = known.get(rule.id());
            loaded.put(rule.id(), same != null && same.rule().expression().equals(rule.expression()) && same.name().equals(rule.name())
                    ? same : new Defined(rule.id(), rule.name(), compiler.compile(rule.expression())));
        }
        return loaded;
    }

    private Map<String, Defined> defined() {
        Map<String, Defined> current = rules;
        if (current == null) {
            synchronized (this) {
                if (rules == null) {
                    rules = compile(repository.all().await().indefinitely(), Map.of());
                }
                current = rules;
            }
        }
        return current;
    }
}
