package io.memberpulse.campaign.domain;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * A batch of scores checked against what is stored: which ones count (never an older score over a
 * newer one, so redelivery and reordering change nothing) and which stores must be replanned.
 *
 * @param accepted the newest score of each member that is not older than the stored one
 * @param previous the stored score of each accepted member that had one
 */
public record ScoreUpdate(List<MemberRisk> accepted, Map<String, MemberRisk> previous) {

    public ScoreUpdate {
        accepted = List.copyOf(accepted);
        previous = Map.copyOf(previous);
    }

    public static ScoreUpdate of(Collection<MemberRisk> incoming, Map<String, MemberRisk> stored) {
        Map<String, MemberRisk> newest = new LinkedHashMap<>();
        for (MemberRisk score : incoming) {
            newest.merge(score.memberId(), score, (kept, next) -> next.asOf().isBefore(kept.asOf()) ? kept : next);
        }
        List<MemberRisk> accepted = newest.values().stream()
                .filter(score -> !stored.containsKey(score.memberId())
                        || !score.asOf().isBefore(stored.get(score.memberId()).asOf()))
                .toList();
        Map<String, MemberRisk> previous = new LinkedHashMap<>();
        accepted.stream().filter(score -> stored.containsKey(score.memberId()))
                .forEach(score -> previous.put(score.memberId(), stored.get(score.memberId())));
        return new ScoreUpdate(accepted, previous);
    }

    /** Members now scored in another store (or in none) than before: their OPEN task has to follow them. */
    public List<MemberRisk> storeChanges() {
        return accepted.stream()
                .filter(score -> previous.containsKey(score.memberId()))
                .filter(score -> {
                    String before = previous.get(score.memberId()).storeId();
                    return before != null && !before.equals(score.storeId());
                })
                .toList();
    }

    /** Every store whose selection may differ: the members' stores now and the ones they left. */
    public Set<String> affectedStores() {
        Set<String> stores = new LinkedHashSet<>();
        accepted.stream()
                .flatMap(score -> Stream.of(score.storeId(),
                        previous.containsKey(score.memberId()) ? previous.get(score.memberId()).storeId() : null))
                .filter(store -> store != null)
                .forEach(stores::add);
        return stores;
    }
}
