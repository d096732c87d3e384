package io.memberpulse.identity.domain;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * How a member is undone: each part takes the events listed for it and the strong identifiers that
 * only its events used; identifiers that events left with the original also used stay with it.
 *
 * @param moved for each part, the identifiers that move to it
 */
public record SplitPlan(List<List<String>> parts, List<Set<Identifier>> moved) {

    /**
     * @param events the events of the member now, by "source:event_id", with their strong identifiers
     * @param parts  the event keys of each new member
     */
    public static SplitPlan of(Map<String, List<Identifier>> events, List<List<String>> parts) {
        if (parts.isEmpty()) {
            throw new InvalidSplitException("parts", "give at least one part");
        }
        Map<String, Integer> partOf = new HashMap<>();
        for (int p = 0; p < parts.size(); p++) {
            List<String> keys = parts.get(p);
            if (keys.isEmpty()) {
                throw new InvalidSplitException("parts[" + p + "].event_keys", "a part needs at least one event");
            }
            for (int k = 0; k < keys.size(); k++) {
                String key = keys.get(k);
                String field = "parts[" + p + "].event_keys[" + k + "]";
                if (!events.containsKey(key)) {
                    throw new InvalidSplitException(field, "event " + key + " does not belong to this member");
                }
                if (partOf.putIfAbsent(key, p) != null) {
                    throw new InvalidSplitException(field, "event " + key + " is listed twice");
                }
            }
        }
        if (partOf.size() == events.size()) {
            throw new InvalidSplitException("parts", "leave at least one event with the original member");
        }
        Set<Identifier> kept = new HashSet<>();
        events.forEach((key, identifiers) -> {
            if (!partOf.containsKey(key)) {
                kept.addAll(identifiers);
            }
        });
        List<Set<Identifier>> moved = new ArrayList<>();
        Set<Identifier> taken = new HashSet<>(kept);
        for (List<String> keys : parts) {
            Set<Identifier> mine = new LinkedHashSet<>();
            for (String key : keys) {
                for (Identifier identifier : events.get(key)) {
                    if (identifier.type().isStrong() && taken.add(identifier)) {
                        mine.add(identifier);
                    }
                }
            }
            moved.add(mine);
        }
        return new SplitPlan(List.copyOf(parts), List.copyOf(moved));
    }
}
