package io.memberpulse.identity.domain;

import io.memberpulse.identity.domain.IdentityGraph.PastHolding;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * The phone holdings a batch ended or found in the past, as the store takes them ({@link IdentityGraph.BatchOutcome}
 * pastHeld): each under the member that holds the rest of that person's events once the batch's merges are done.
 */
final class PastHoldings {
    private PastHoldings() {
    }

    /**
     * The batch's past holdings by final member, oldest first; a late use of the phone's holder now (its member merged
     * with the holder later in the batch) is none, a holding that ended in a move is one (the phone came back). A
     * member's windows of a phone that no other member's lies between are joined (a late export's uses of one
     * person); the store joins them with the periods it has by the same rule.
     *
     * @param recorded    as the batch recorded them, under the member that held each then
     * @param endedByMove those of {@code recorded} that a move ended (by identity)
     * @param holderNow   the final member holding a phone now, null: nobody
     * @param finalMember the member a member id stands for now
     */
    static List<PastHolding> of(List<PastHolding> recorded, Set<PastHolding> endedByMove,
            Function<Identifier, String> holderNow, UnaryOperator<String> finalMember) {
        if (recorded.isEmpty()) {
            return List.of();
        }
        List<PastHolding> windows = new ArrayList<>();
        for (PastHolding window : recorded) {
            String survivor = finalMember.apply(window.memberId());
            if (!survivor.equals(holderNow.apply(window.phone())) || endedByMove.contains(window)) {
                windows.add(new PastHolding(window.phone(), survivor, window.first(), window.last()));
            }
        }
        windows.sort(Comparator.comparing(PastHolding::first));
        List<PastHolding> held = new ArrayList<>();
        Map<Identifier, Integer> latest = new HashMap<>(); // by phone, where its latest window so far is in held
        for (PastHolding window : windows) {
            Integer at = latest.get(window.phone());
            PastHolding before = at == null ? null : held.get(at);
            if (before != null && before.memberId().equals(window.memberId())) {
                held.set(at, new PastHolding(window.phone(), window.memberId(), earlier(before.first(), window.first()),
                        later(before.last(), window.last())));
            } else {
                latest.put(window.phone(), held.size());
                held.add(window);
            }
        }
        return held;
    }

    private static Instant earlier(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }

    private static Instant later(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }
}
