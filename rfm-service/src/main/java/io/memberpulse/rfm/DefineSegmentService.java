package io.memberpulse.rfm;

import io.memberpulse.proto.checks.FieldChecks;
import io.memberpulse.rfm.domain.DefaultSegments;
import io.memberpulse.rfm.domain.MemberHistory;
import io.memberpulse.rfm.domain.RfmSnapshot;
import io.memberpulse.rfm.domain.rules.SegmentRuleCompiler;
import io.memberpulse.rfm.store.RfmReadRepository;
import io.memberpulse.rfm.store.RuleSegmentRepository;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.regex.Pattern;

/**
 * Business users define segments without code changes: a CEL rule, checked on save (position and
 * reason of an error), previewed (how many members it would hold now), then stored, evaluated for
 * everyone at once (the backfill, publishing each entry) and live on every change after that. A
 * segment can be changed or retired the same way, and the default segments' thresholds changed;
 * members move in or out and every move is published.
 */
@ApplicationScoped
public class DefineSegmentService {
    private static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9-]{0,39}");
    private static final int PAGE = 2_000;
    private static final int SAMPLE = 10;

    private final SegmentDefinitions definitions;
    private final RuleSegmentRepository rules;
    private final RfmReadRepository repository;
    private final RecomputeRfmService recompute;
    private final MemberFacts facts;

    public DefineSegmentService(SegmentDefinitions definitions, RuleSegmentRepository rules, RfmReadRepository repository,
            RecomputeRfmService recompute, MemberFacts facts) {
        this.facts = facts;
        this.definitions = definitions;
        this.rules = rules;
        this.repository = repository;
        this.recompute = recompute;
    }

    public record Preview(long size, long members, List<String> sample) {
    }

    /** How many members the rule holds now, with a few of them. Blocking. */
    public Preview preview(String expression) {
        SegmentRuleCompiler.CompiledRule rule = definitions.check(expression);
        long size = 0;
        long members = 0;
        List<String> sample = new ArrayList<>();
        String after = "";
        while (true) {
            List<RfmSnapshot> page = repository.snapshotsAfter(after, PAGE).await().indefinitely();
            if (page.isEmpty()) {
                break;
            }
            var histories = facts.historiesOf(page.stream().map(snapshot -> snapshot.rfm().memberId()).toList());
            for (RfmSnapshot snapshot : page) {
                members++;
                var rfm = snapshot.rfm();
                var history = histories.getOrDefault(rfm.memberId(), MemberHistory.EMPTY);
                if (rule.matches(definitions.attributesOf(rfm, history))) {
                    size++;
                    if (sample.size() < SAMPLE) {
                        sample.add(rfm.memberId());
                    }
                }
            }
            after = page.get(page.size() - 1).rfm().memberId();
        }
        return new Preview(size, members, sample);
    }

    /** Checks, stores, and backfills a new segment; returns its size after the backfill. Blocking. */
    public long define(String id, String name, String expression) {
        if (id == null || !ID.matcher(id).matches()) {
            throw new InvalidSegmentException("id", "1 to 40 of a-z, 0-9 and '-', starting with a letter or digit");
        }
        checkName(name);
        if (definitions.exists(id)) {
            throw new SegmentExistsException(id);
        }
        checkRule(expression);
        if (!rules.insert(new RuleSegmentRepository.StoredRule(id, name.strip(), expression), Instant.now())
                .await().indefinitely()) {
            throw new SegmentExistsException(id);
        }
        definitions.reload(); // what is stored now, this change included
        recompute.backfill();
        return sizeOf(id);
    }

    /** A name is stored and shown as one line: no control characters (a NUL cannot even be stored). */
    private static void checkName(String name) {
        if (name == null || name.isBlank()) {
            throw new InvalidSegmentException("name", "is required");
        }
        FieldChecks.checkText("name", name, FieldChecks.MAX_NAME_LENGTH);
    }

    /** A rule compiles (its own errors have line and column) and is stored as written: line breaks and tabs only. */
    private void checkRule(String expression) {
        definitions.check(expression);
        FieldChecks.checkFreeText("rule", expression, SegmentRuleCompiler.MAX_LENGTH);
    }

    /**
     * Changes a business-defined segment's name and rule, then re-evaluates everyone: members the new
     * rule drops leave and members it adds enter (each change published). Returns the new size, or
     * empty when there is no such rule segment. Blocking.
     */
    public OptionalLong redefine(String id, String name, String expression) {
        checkName(name);
        if (!editable(id)) {
            return OptionalLong.empty();
        }
        checkRule(expression);
        if (!rules.update(new RuleSegmentRepository.StoredRule(id, name.strip(), expression), Instant.now()).await().indefinitely()) {
            return OptionalLong.empty(); // retired meanwhile on another replica
        }
        definitions.reload(); // what is stored now, this change included
        recompute.backfill();
        return OptionalLong.of(sizeOf(id));
    }

    /**
     * Retires a business-defined segment: every member in it leaves (each exit published), and it is
     * no longer evaluated. False when there is no such rule segment. Blocking.
     */
    public boolean retire(String id) {
        if (!editable(id) || !rules.delete(id, Instant.now()).await().indefinitely()) {
            return false;
        }
        definitions.reload();
        recompute.backfill();
        return true;
    }

    /**
     * Whether a segment's thresholds can be changed: true for a default segment, false for an unknown
     * id; a rule segment or lifecycle stage throws NotRetunableException.
     */
    public boolean isRetunable(String id) {
        if (DefaultSegments.isDefault(id)) {
            return true;
        }
        if (definitions.exists(id)) {
            throw new NotRetunableException(id);
        }
        return false;
    }

    /**
     * Changes a default segment's thresholds while running (they override memberpulse.rfm.segments.*
     * on every replica), then re-evaluates everyone, publishing each entry and exit. Throws
     * InvalidThresholdException naming a threshold out of range. Returns the new size. Blocking.
     *
     * @param id a segment {@link #isRetunable} accepted
     */
    public long retune(String id, double recencyDays, int orders30d, double monetary30d) {
        var thresholds = new RuleSegmentRepository.StoredThresholds(id, recencyDays, orders30d, monetary30d);
        definitions.withThresholds(thresholds); // checked before anything is stored
        rules.saveThresholds(thresholds, Instant.now()).await().indefinitely();
        definitions.reload();
        recompute.backfill();
        return sizeOf(id);
    }

    /** Default segments and lifecycle stages are set in configuration, not here. */
    private boolean editable(String id) {
        if (id != null && definitions.exists(id) && !definitions.isDefinedByRule(id)) {
            throw new ConfiguredSegmentException(id);
        }
        return id != null && definitions.isDefinedByRule(id);
    }

    private long sizeOf(String id) {
        return repository.segmentSizes().await().indefinitely().getOrDefault(id, 0L);
    }

    /** A field of a segment definition refused, naming it. */
    public static final class InvalidSegmentException extends RuntimeException {
        private final String field;

        public InvalidSegmentException(String field, String reason) {
            super(reason);
            this.field = field;
        }

        public String field() {
            return field;
        }
    }

    /** A default segment or lifecycle stage has no rule to change or retire. */
    public static final class ConfiguredSegmentException extends RuntimeException {
        public ConfiguredSegmentException(String id) {
            super(DefaultSegments.isDefault(id)
                    ? id + " is a default segment: change its thresholds with PUT /segments/" + id + "/thresholds "
                            + "(configured under memberpulse.rfm.segments.*)"
                    : id + " is a lifecycle stage: its rules are configured under memberpulse.rfm.lifecycle.*");
        }
    }

    /** A rule segment or lifecycle stage has no thresholds to change. */
    public static final class NotRetunableException extends RuntimeException {
        public NotRetunableException(String id) {
            super(id + " has no thresholds: only high-value-active, potential and churn-edge do (change a rule segment "
                    + "with PUT /segments/" + id + ", lifecycle stages under memberpulse.rfm.lifecycle.*)");
        }
    }

    public static final class SegmentExistsException extends RuntimeException {
        public SegmentExistsException(String id) {
            super("a segment " + id + " exists already");
        }
    }
}
