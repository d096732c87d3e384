package io.memberpulse.campaign.domain;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** The segment-entry SOP rules: entering one of these segments asks for a call due within the segment's time. */
public record SegmentRules(Map<String, Duration> dueBySegment) {

    /** A rule that takes over an OPEN call: the task's new origin and due time. */
    public record Takeover(String origin, Instant dueAt) {
    }

    public SegmentRules {
        dueBySegment = Map.copyOf(dueBySegment);
    }

    public boolean triggers(String segmentId) {
        return dueBySegment.containsKey(segmentId);
    }

    public Duration dueIn(String segmentId) {
        return dueBySegment.get(segmentId);
    }

    public Set<String> segments() {
        return dueBySegment.keySet();
    }

    /**
     * The rule that takes over an OPEN call another rule no longer wants, given the member's current segments: a call
     * the member's entry relied on (none was opened for them, as they held this one) is still owed to them.
     * Due by the rule's time counted from the entry (from the task's creation when they entered before it existed:
     * the rule relied on the task only from then on), but never later than the task's due time: staff were told that
     * one, and an escalated call must not stop being overdue. Of several segments, the one due first (then by id).
     */
    public Optional<Takeover> takeover(OpenTask task, Collection<SegmentMembership> memberships) {
        return memberships.stream()
                .filter(m -> m.memberId().equals(task.memberId()) && triggers(m.segmentId()))
                .map(m -> new Takeover(TaskOrigin.segment(m.segmentId()), earlier(task.dueAt(),
                        latest(m.since(), task.createdAt()).plus(dueIn(m.segmentId())))))
                .min(Comparator.comparing(Takeover::dueAt).thenComparing(Takeover::origin));
    }

    private static Instant earlier(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }

    private static Instant latest(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }
}
