package io.memberpulse.rfm.domain;

import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Everything rfm-service knows of one member: purchase lines, other facts, and the latest churn
 * probability from churn-service (null when not scored). RFM, stage and tags are functions of it.
 */
public record MemberHistory(List<PurchaseLine> lines, List<MemberFact> facts, Double churnProbability) {
    public static final MemberHistory EMPTY = new MemberHistory(List.of(), List.of(), null);

    public MemberHistory {
        lines = List.copyOf(lines);
        facts = List.copyOf(facts);
    }

    /** The first registration at or before {@code asOf}, if any. */
    public Optional<MemberFact> registration(Instant asOf) {
        return facts.stream().filter(f -> f.kind() == MemberFact.Kind.REGISTER && !f.occurredAt().isAfter(asOf))
                .min(Comparator.comparing(MemberFact::occurredAt));
    }

    /**
     * Whether rfm-service keeps a row for the member as of {@code asOf} (the event-time clock): anyone with purchases,
     * or registered by then. A member with neither (merged away, split off, only visits) has none.
     */
    public boolean hasRow(Instant asOf) {
        return !lines.isEmpty() || registration(asOf).isPresent();
    }

    /**
     * Whether the member is known at all (bought or registered, at any time): a query as of an earlier instant is
     * answered for such a member, with what was known then (zeros before anything).
     */
    public boolean isKnown() {
        return !lines.isEmpty() || facts.stream().anyMatch(f -> f.kind() == MemberFact.Kind.REGISTER);
    }
}
