package io.memberpulse.identity.eval;

import io.memberpulse.identity.domain.EventEvidence;
import io.memberpulse.identity.domain.Identifier;
import io.memberpulse.identity.domain.IdentityGraph;
import io.memberpulse.identity.domain.MatchWeights;
import io.memberpulse.identity.domain.MergeRecord;
import io.memberpulse.identity.domain.PlaceholderSplit;
import io.memberpulse.identity.domain.SplitPlan;
import io.memberpulse.identity.domain.StitchGuardrails;
import io.memberpulse.identity.domain.WeightEstimation;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * What the database would hold after each batch, for the in-memory evaluation: members and where they were merged,
 * identifiers with their member and last use, quarantined values, stores, and every event under its stored member. An
 * unglue (the service's {@code SplitMemberService.unglueQuarantined}) is carried out here as the service does, and the
 * graph rebuilt from it as the service's {@code StitchingGraph} rebuilds it after a split.
 */
final class StoredGraph {
    private final Map<String, String> mergedInto = new HashMap<>();
    private final Map<Identifier, String> owners = new HashMap<>();
    private final Map<Identifier, Instant> lastSeen = new HashMap<>();
    private final Map<Identifier, Instant> firstSeen = new HashMap<>();
    private final Set<Identifier> quarantined = new HashSet<>();
    private final Set<Identifier> toUnglue = new HashSet<>();
    private final Map<Identifier, Map<String, Instant>> stores = new HashMap<>();
    private final Map<String, EventEvidence> events = new HashMap<>();
    int splits;
    int partsSplitOff;

    /** Records a batch as its write would. */
    void written(IdentityGraph graph, IdentityGraph.BatchOutcome outcome, List<EventEvidence> evidence,
            Map<String, String> memberOf) {
        outcome.newMembers().forEach(m -> mergedInto.putIfAbsent(m, null));
        for (MergeRecord merge : outcome.merges()) {
            mergedInto.putIfAbsent(merge.survivingMemberId(), null);
            mergedInto.put(merge.absorbedMemberId(), merge.survivingMemberId());
        }
        for (Identifier value : outcome.quarantined()) {
            if (owners.containsKey(value)) { // it linked someone: its member waits to be unglued
                toUnglue.add(value);
            }
            quarantined.add(value);
        }
        // as member_identifier: a link to another member starts its first use anew, else the earliest is kept
        outcome.seen().forEach((identifier, window) -> {
            String before = owners.get(identifier);
            String now = outcome.newLinks().get(identifier);
            if (now != null && !now.equals(before)) {
                firstSeen.put(identifier, window[0]);
            } else {
                firstSeen.merge(identifier, window[0], (a, b) -> a.isBefore(b) ? a : b);
            }
        });
        owners.putAll(outcome.newLinks());
        outcome.seen().forEach((identifier, window) -> lastSeen.merge(identifier, window[1],
                (a, b) -> a.isAfter(b) ? a : b));
        // as identifier_store: each (value, store) keeps its latest time
        outcome.storesSeen().forEach((identifier, seenAt) -> seenAt.forEach((store, at) -> stores
                .computeIfAbsent(identifier, i -> new HashMap<>()).merge(store, at, (a, b) -> a.isAfter(b) ? a : b)));
        for (EventEvidence event : evidence) {
            if (memberOf.containsKey(event.eventKey())) {
                events.put(event.eventKey(), event);
            }
        }
    }

    boolean anyToUnglue() {
        return !toUnglue.isEmpty();
    }

    /**
     * Splits the members glued by values quarantined after they linked, moving their events in {@code memberOf} and
     * their identifiers, and returns the graph rebuilt from what is stored.
     */
    IdentityGraph unglue(Map<String, String> memberOf, Supplier<String> newMemberId, StitchGuardrails guardrails,
            MatchWeights weights, WeightEstimation estimation) {
        Map<String, List<Identifier>> byMember = new LinkedHashMap<>();
        toUnglue.stream().sorted(Comparator.comparing(Identifier::toString))
                .forEach(value -> byMember.computeIfAbsent(current(owners.get(value)), m -> new ArrayList<>()).add(value));
        toUnglue.clear();
        Map<String, List<String>> eventsOf = new HashMap<>();
        memberOf.keySet().stream().sorted()
                .forEach(key -> eventsOf.computeIfAbsent(current(memberOf.get(key)), m -> new ArrayList<>()).add(key));
        for (String member : byMember.keySet()) {
            List<PlaceholderSplit.MemberEvent> memberEvents = new ArrayList<>();
            Map<String, List<Identifier>> identifiers = new HashMap<>();
            for (String key : eventsOf.getOrDefault(member, List.of())) {
                EventEvidence event = events.get(key);
                memberEvents.add(new PlaceholderSplit.MemberEvent(key, event.identifiers(), event.orderKey(),
                        event.sameOrderAs()));
                identifiers.put(key, event.identifiers());
            }
            List<List<String>> parts = PlaceholderSplit.parts(memberEvents, quarantined::contains);
            if (parts.isEmpty()) {
                continue;
            }
            SplitPlan plan = SplitPlan.of(identifiers, parts);
            for (int p = 0; p < parts.size(); p++) {
                String part = newMemberId.get();
                mergedInto.put(part, null);
                parts.get(p).forEach(key -> memberOf.put(key, part));
                for (Identifier moved : plan.moved().get(p)) {
                    if (owners.containsKey(moved) && current(owners.get(moved)).equals(member)) {
                        owners.put(moved, part);
                    }
                }
            }
            splits++;
            partsSplitOff += parts.size();
        }
        return rebuild(memberOf, guardrails, weights, estimation);
    }

    /** As StitchingGraph.load: members, links, quarantined values, stores, then every event in key order. */
    private IdentityGraph rebuild(Map<String, String> memberOf, StitchGuardrails guardrails, MatchWeights weights,
            WeightEstimation estimation) {
        IdentityGraph graph = new IdentityGraph(guardrails, weights, estimation);
        mergedInto.forEach(graph::restoreMember);
        owners.forEach((identifier, member) -> graph.restoreLink(identifier, member, firstSeen.get(identifier),
                lastSeen.get(identifier)));
        quarantined.forEach(graph::restoreQuarantine);
        stores.forEach((identifier, seenAt) -> seenAt.forEach((store, at) -> graph.restoreStore(identifier, store, at)));
        memberOf.keySet().stream().sorted().forEach(key -> {
            EventEvidence event = events.get(key);
            if (event != null) {
                graph.restoreEvent(memberOf.get(key), event);
            }
        });
        return graph;
    }

    private String current(String member) {
        String at = member;
        for (String next = mergedInto.get(at); next != null; next = mergedInto.get(at)) {
            at = next;
        }
        return at;
    }
}
