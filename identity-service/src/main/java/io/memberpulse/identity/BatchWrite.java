package io.memberpulse.identity;

import io.memberpulse.identity.domain.Identifier;
import io.memberpulse.identity.domain.IdentityGraph;
import io.memberpulse.identity.domain.MergeRecord;
import io.memberpulse.identity.domain.TimeOrderedIds;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What a stitched batch changes in the graph's tables, taken from the graph when the batch was
 * stitched: its write runs while the next batch is stitched, and by then the graph has moved on
 * (an absorbed member's final survivor, read later, could be a member the database does not hold yet).
 *
 * @param finalRoot the member each member absorbed in the batch stands for after it
 * @param pastHeld  phones some member held before their holder now (moved in the batch, or seen in events imported
 *                  late): by phone, that member (final) and its first and last use (member_identifier_period)
 */
record BatchWrite(Collection<String> newMembers, Collection<Identifier> quarantined,
        Map<Identifier, Map<String, Instant>> storesSeen, Map<Identifier, String> newLinks, Map<Identifier, Instant> linkFirst,
        Map<Identifier, Instant> linkLast, Map<Identifier, Instant> touchedFirst, Map<Identifier, Instant> lastSeen,
        List<MergeRecord> merges, List<String> evidenceIds, Map<String, String> finalRoot, List<byte[]> changes,
        List<IdentityGraph.PastHolding> pastHeld) {

    static BatchWrite of(IdentityGraph graph, BatchLinker.Linked linked, Instant now) {
        IdentityGraph.BatchOutcome outcome = linked.outcome();
        Map<Identifier, Instant> firstSeen = new HashMap<>();
        Map<Identifier, Instant> lastSeen = new HashMap<>();
        outcome.seen().forEach((identifier, window) -> {
            firstSeen.put(identifier, window[0]);
            lastSeen.put(identifier, window[1]);
        });
        Map<Identifier, Instant> touchedFirst = new HashMap<>(firstSeen);
        touchedFirst.keySet().removeAll(outcome.newLinks().keySet());
        Map<Identifier, Instant> linkFirst = new HashMap<>();
        Map<Identifier, Instant> linkLast = new HashMap<>();
        outcome.newLinks().keySet().forEach(identifier -> {
            Instant first = firstSeen.getOrDefault(identifier, now);
            linkFirst.put(identifier, first);
            linkLast.put(identifier, lastSeen.getOrDefault(identifier, first));
        });
        List<MergeRecord> merges = outcome.merges();
        List<String> evidenceIds = new ArrayList<>(merges.size());
        List<byte[]> changes = new ArrayList<>(merges.size());
        Map<String, String> finalRoot = new HashMap<>();
        for (MergeRecord merge : merges) {
            String id = TimeOrderedIds.next();
            evidenceIds.add(id);
            finalRoot.put(merge.absorbedMemberId(), graph.root(merge.absorbedMemberId()));
            changes.add(IdentityChanges.merged(merge, id, now).toByteArray());
        }
        return new BatchWrite(outcome.newMembers(), outcome.quarantined(), outcome.storesSeen(), outcome.newLinks(), linkFirst,
                linkLast, touchedFirst, lastSeen, merges, evidenceIds, finalRoot, changes, outcome.pastHeld());
    }
}
