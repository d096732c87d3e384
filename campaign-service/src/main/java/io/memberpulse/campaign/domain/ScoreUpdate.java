package io.memberpulse.campaign.domain;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * A batch of scores and withdrawals checked against what is stored: which scores count (never an older score over a
 * newer one, so redelivery and reordering change nothing), which stored scores are withdrawn, and which stores must
 * be replanned. A withdrawal (a tombstone) has no time of its own: it is ordered by its place in the batch (one member's
 * records share a partition, so the batch holds them in the order churn-service published them). The last record of a
 * member decides: a withdrawal takes the stored score away and the scores before it in the batch; a score after it
 * counts whatever the stored one's time (that score is gone).
 *
 * @param accepted the newest score of each member that is not older than the stored one
 * @param previous the stored score of each accepted member that had one
 * @param withdrawn the stored scores of the members whose last record is a withdrawal
 */
public record ScoreUpdate(List<MemberRisk> accepted, Map<String, MemberRisk> previous, List<MemberRisk> withdrawn) {

    public ScoreUpdate {
        accepted = List.copyOf(accepted);
        previous = Map.copyOf(previous);
        withdrawn = List.copyOf(withdrawn);
    }

    /** @param incoming the batch's scores and withdrawals, in the batch's order */
    public static ScoreUpdate of(Collection<? extends ChurnFact> incoming, Map<String, MemberRisk> stored) {
        Map<String, MemberRisk> newest = new LinkedHashMap<>();
        Set<String> withdrawing = new LinkedHashSet<>();
        for (ChurnFact fact : incoming) {
            if (fact instanceof MemberRisk score) {
                newest.merge(score.memberId(), score, (kept, next) -> next.asOf().isBefore(kept.asOf()) ? kept : next);
            } else {
                newest.remove(fact.memberId());
                withdrawing.add(fact.memberId());
            }
        }
        List<MemberRisk> accepted = newest.values().stream()
                .filter(score -> withdrawing.contains(score.memberId()) || !stored.containsKey(score.memberId())
                        || !score.asOf().isBefore(stored.get(score.memberId()).asOf()))
                .toList();
        Map<String, MemberRisk> previous = new LinkedHashMap<>();
        accepted.stream().filter(score -> stored.containsKey(score.memberId()))
                .forEach(score -> previous.put(score.memberId(), stored.get(score.memberId())));
        List<MemberRisk> withdrawn = withdrawing.stream()
                .filter(memberId -> !newest.containsKey(memberId) && stored.containsKey(memberId))
                .map(stored::get).toList();
        return new ScoreUpdate(accepted, previous, withdrawn);
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

    /** Every store whose selection may differ: the members' stores now and the ones they left (withdrawn too). */
    public Set<String> affectedStores() {
        Set<String> stores = new LinkedHashSet<>();
        Stream.concat(accepted.stream()
                .flatMap(score -> Stream.of(score.storeId(),
                        previous.containsKey(score.memberId()) ? previous.get(score.memberId()).storeId() : null)),
                        withdrawn.stream().map(MemberRisk::storeId))
                .filter(store -> store != null)
                .forEach(stores::add);
        return stores;
    }
}
