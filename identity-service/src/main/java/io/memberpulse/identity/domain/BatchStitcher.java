package io.memberpulse.identity.domain;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Stitching of one batch against what the store knew before it ({@link Known}), through a fresh
 * {@link IdentityGraph}: the deterministic rules and guardrails, and probabilistic links when
 * weights are given. The import keeps one graph in memory instead; this is the one-shot form.
 */
public final class BatchStitcher {

    /** The identifiers of one event, by its position in the batch, with when and where it happened (may be null). */
    public record EventIdentifiers(int index, List<Identifier> identifiers, Instant occurredAt, String storeId) {
        public EventIdentifiers(int index, List<Identifier> identifiers) {
            this(index, identifiers, null, null);
        }

        EventEvidence evidence() {
            return new EventEvidence(index, identifiers, occurredAt, storeId);
        }
    }

    /** Which member an event went to, and by which identifier (empty for a new member). */
    public record Assignment(int index, String memberId, Optional<IdentifierType> matchedBy) {
    }

    /**
     * @param newLinks    identifiers that now point at a member (new ones and re-issued ones that moved)
     * @param quarantined strong values found to be placeholders in this batch (blocked ones included)
     * @param merges      members found to be one person, in the order it was found
     */
    public record Result(List<Assignment> assignments, Set<String> newMembers, Map<Identifier, String> newLinks,
            int conflicts, Set<Identifier> quarantined, List<MergeRecord> merges) {
    }

    /**
     * What the store knows before the batch.
     *
     * @param owners      current owner of each identifier (those of the batch and everything their members hold)
     * @param lastSeen    when each of those identifiers was last used
     * @param quarantined values found to be placeholders before
     * @param stores      the distinct stores each identifier was seen at before, each with when last (placeholder
     *                    detection)
     */
    public record Known(Map<Identifier, String> owners, Map<Identifier, Instant> lastSeen, Set<Identifier> quarantined,
            Map<Identifier, Map<String, Instant>> stores) {
        public Known {
            owners = Map.copyOf(owners);
            lastSeen = Map.copyOf(lastSeen);
            quarantined = Set.copyOf(quarantined);
            stores = Map.copyOf(stores);
        }

        public Known(Map<Identifier, String> owners, Map<Identifier, Instant> lastSeen, Set<Identifier> quarantined) {
            this(owners, lastSeen, quarantined, Map.of());
        }

        public static Known owners(Map<Identifier, String> owners) {
            return new Known(owners, Map.of(), Set.of());
        }
    }

    private BatchStitcher() {
    }

    /** Stitching without guardrails. */
    public static Result stitch(List<EventIdentifiers> events, Map<Identifier, String> known,
            Supplier<String> newMemberId) {
        return stitch(events, known, newMemberId, StitchGuardrails.NONE);
    }

    public static Result stitch(List<EventIdentifiers> events, Map<Identifier, String> known,
            Supplier<String> newMemberId, StitchGuardrails guardrails) {
        return stitch(events, Known.owners(known), newMemberId, guardrails);
    }

    /** Deterministic rules and guardrails only. */
    public static Result stitch(List<EventIdentifiers> events, Known known, Supplier<String> newMemberId,
            StitchGuardrails guardrails) {
        return stitch(events, known, newMemberId, guardrails, MatchWeights.OFF);
    }

    public static Result stitch(List<EventIdentifiers> events, Known known, Supplier<String> newMemberId,
            StitchGuardrails guardrails, MatchWeights weights) {
        IdentityGraph graph = new IdentityGraph(guardrails, weights);
        known.owners().forEach((identifier, member) -> graph.restoreLink(identifier, member,
                known.lastSeen().get(identifier)));
        known.quarantined().forEach(graph::restoreQuarantine);
        known.stores().forEach((identifier, seenAt) -> seenAt.forEach((store, last) -> graph.restoreStore(identifier,
                store, last)));
        IdentityGraph.BatchOutcome outcome = graph.stitch(events.stream().map(EventIdentifiers::evidence).toList(),
                newMemberId);
        List<Assignment> assignments = outcome.assignments().stream()
                .map(a -> new Assignment(a.index(), a.memberId(), a.matchedBy())).toList();
        return new Result(assignments, outcome.newMembers(), outcome.newLinks(), outcome.conflicts(),
                outcome.quarantined(), outcome.merges());
    }
}
