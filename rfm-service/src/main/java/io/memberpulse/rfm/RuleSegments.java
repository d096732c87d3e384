package io.memberpulse.rfm;

import io.memberpulse.rfm.domain.DefaultSegments;
import io.memberpulse.rfm.domain.LifecycleRules;
import io.memberpulse.rfm.domain.LifecycleStage;
import io.memberpulse.rfm.domain.MemberHistory;
import io.memberpulse.rfm.domain.Rfm;
import io.memberpulse.rfm.domain.rules.MemberAttributes;
import io.memberpulse.rfm.domain.rules.SegmentRuleCompiler;
import io.memberpulse.rfm.store.RuleSegmentRepository;
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
    private final RuleSegmentRepository repository;
    private volatile Map<String, Defined> rules;

    /** A business-defined segment and its compiled rule. */
    public record Defined(String id, String name, SegmentRuleCompiler.CompiledRule rule) {
    }

    public RuleSegments(RfmConfig config, RuleSegmentRepository repository) {
        this.lifecycle = new LifecycleRules(config.rfm().dormantDays(), config.rfm().atRiskDays(),
                config.rfm().loyalOrders90d(), config.rfm().loyalMonetary90d());
        this.repository = repository;
    }

    /** All the segment ids this member is in. */
    public Set<String> segmentsOf(Rfm rfm, MemberHistory history) {
        Set<String> defaults = DefaultSegments.of(rfm);
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
        return defined().containsKey(id) || DefaultSegments.RULES.stream().anyMatch(r -> r.id().equals(id))
                || java.util.Arrays.stream(LifecycleStage.values()).anyMatch(s -> s.segmentId().equals(id));
    }

    /** Adds a checked rule (the caller stored it). */
    public synchronized void add(String id, String name, SegmentRuleCompiler.CompiledRule rule) {
        Map<String, Defined> next = new LinkedHashMap<>(defined());
        next.put(id, new Defined(id, name, rule));
        rules = next;
    }

    private Map<String, Defined> defined() {
        Map<String, Defined> current = rules;
        if (current == null) {
            synchronized (this) {
                if (rules == null) {
                    Map<String, Defined> loaded = new LinkedHashMap<>();
                    for (var stored : repository.all().await().indefinitely()) {
                        loaded.put(stored.id(), new Defined(stored.id(), stored.name(), compiler.compile(stored.expression())));
                    }
                    rules = loaded;
                }
                current = rules;
            }
        }
        return current;
    }
}
