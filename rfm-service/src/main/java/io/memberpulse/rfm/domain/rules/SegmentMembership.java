package io.memberpulse.rfm.domain.rules;

import io.memberpulse.rfm.domain.DefaultSegments;
import io.memberpulse.rfm.domain.LifecycleRules;
import io.memberpulse.rfm.domain.LifecycleStage;
import io.memberpulse.rfm.domain.MemberHistory;
import io.memberpulse.rfm.domain.Rfm;
import io.memberpulse.rfm.domain.RfmCalculator;
import io.memberpulse.rfm.domain.RfmSnapshot;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * The segments one set of definitions puts a member in: the default segments by their thresholds, the lifecycle stage
 * ("stage:…") and each business-defined segment whose rule matches what the rule sees of the member (MemberAttributes,
 * dates in the calendar of {@code dayZone}). A rule that fails to evaluate for a member leaves them out of that segment
 * only (CompiledRule.matches). The rules are read as given, not copied: this is built per write from definitions that
 * are never changed once in force.
 */
public record SegmentMembership(DefaultSegments defaults, LifecycleRules lifecycle, Collection<DefinedSegment> rules,
        ZoneId dayZone) {

    /** Every segment id the member is in, the default segments first, then the stage, then the rules in order. */
    public Set<String> segmentsOf(Rfm rfm, MemberHistory history) {
        Set<String> defaultSegments = defaults.of(rfm);
        LifecycleStage stage = lifecycle.stageOf(rfm);
        Set<String> segments = new LinkedHashSet<>(defaultSegments);
        if (stage != null) {
            segments.add(stage.segmentId());
        }
        if (!rules.isEmpty()) { // the attributes are worth building only for a rule to read
            Map<String, Object> attributes = MemberAttributes.of(rfm, stage, defaultSegments, history, dayZone);
            for (DefinedSegment segment : rules) {
                if (segment.rule().matches(attributes)) {
                    segments.add(segment.id());
                }
            }
        }
        return segments;
    }

    /** The member's row at a clock: the RFM the calculator computes from the history as of then, and its segments. */
    public RfmSnapshot rowAt(RfmCalculator calculator, String memberId, MemberHistory history, Instant clock) {
        Rfm rfm = calculator.compute(memberId, history, clock);
        return new RfmSnapshot(rfm, segmentsOf(rfm, history));
    }
}
