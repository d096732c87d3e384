package io.memberpulse.identity.domain;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Undoes the glue of a value found to be a placeholder after it linked (a walk-in phone typed at the till for guests
 * before the graph had seen enough of it): the member's events fall into parts held together by what still
 * identifies (their strong identifiers that are not quarantined, one order's lines, refunds and reviews, two channels'
 * reports of one order line); parts joined only through a quarantined value come apart.
 * <p>
 * The part with the most events among those showing a quarantined value stays with the member, and so does every part
 * showing none: those joined the member by other evidence (a score, a personal device) whose events the stored merges
 * do not tie to one part, so they stay where they went. No part is recorded as never to merge with another (a manual
 * split's negative evidence): a placeholder says nothing about whether its guests are one person, and a guest's two
 * visits under the walk-in phone alone come apart as two parts that later evidence may join again.
 */
public final class PlaceholderSplit {
    private PlaceholderSplit() {
    }

    /**
     * One event of the member.
     *
     * @param eventKey    "source:event_id"
     * @param identifiers its normalised identifiers (weak ones are ignored)
     * @param orderKey    "source:order_id" of its order, or null
     * @param sameOrderAs the event key of another channel's report of this order line, or null
     */
    public record MemberEvent(String eventKey, List<Identifier> identifiers, String orderKey, String sameOrderAs) {
        public MemberEvent {
            identifiers = List.copyOf(identifiers);
        }
    }

    /**
     * @param events      every event of the member
     * @param quarantined whether a value is quarantined
     * @return the parts that leave the member, each its event keys in the order given, the parts in the order of their
     *         first event; empty when nothing comes apart
     */
    public static List<List<String>> parts(List<MemberEvent> events, Predicate<Identifier> quarantined) {
        int[] parent = new int[events.size()];
        Map<String, Integer> indexOf = new HashMap<>();
        for (int i = 0; i < events.size(); i++) {
            parent[i] = i;
            indexOf.put(events.get(i).eventKey(), i);
        }
        Map<String, Integer> firstWith = new HashMap<>();
        boolean[] showsQuarantined = new boolean[events.size()];
        for (int i = 0; i < events.size(); i++) {
            MemberEvent event = events.get(i);
            for (Identifier identifier : event.identifiers()) {
                if (!identifier.type().isStrong()) {
                    continue;
                }
                if (quarantined.test(identifier)) {
                    showsQuarantined[i] = true;
                } else {
                    join(parent, firstWith, identifier.toString(), i);
                }
            }
            if (event.orderKey() != null) {
                join(parent, firstWith, "order " + event.orderKey(), i);
            }
            Integer repeated = event.sameOrderAs() == null ? null : indexOf.get(event.sameOrderAs());
            if (repeated != null) {
                union(parent, i, repeated);
            }
        }
        Map<Integer, List<String>> components = new LinkedHashMap<>();
        Map<Integer, Boolean> showing = new HashMap<>();
        for (int i = 0; i < events.size(); i++) {
            int root = find(parent, i);
            components.computeIfAbsent(root, r -> new ArrayList<>()).add(events.get(i).eventKey());
            showing.merge(root, showsQuarantined[i], Boolean::logicalOr);
        }
        Integer kept = null;
        for (Map.Entry<Integer, List<String>> component : components.entrySet()) {
            if (showing.get(component.getKey())
                    && (kept == null || component.getValue().size() > components.get(kept).size())) {
                kept = component.getKey();
            }
        }
        List<List<String>> leaving = new ArrayList<>();
        for (Map.Entry<Integer, List<String>> component : components.entrySet()) {
            if (showing.get(component.getKey()) && !component.getKey().equals(kept)) {
                leaving.add(List.copyOf(component.getValue()));
            }
        }
        return List.copyOf(leaving);
    }

    /** Joins the event to the first one showing the same key. */
    private static void join(int[] parent, Map<String, Integer> firstWith, String key, int event) {
        Integer first = firstWith.putIfAbsent(key, event);
        if (first != null) {
            union(parent, first, event);
        }
    }

    private static int find(int[] parent, int i) {
        while (parent[i] != i) {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        return i;
    }

    private static void union(int[] parent, int a, int b) {
        parent[find(parent, a)] = find(parent, b);
    }
}
