package io.memberpulse.identity.domain;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Deterministic stitching of a batch of events, in order: an event belongs to the member its
 * strongest already-known identifier points at, else to a new member; its strong identifiers that
 * nobody holds yet then point at that member, so later events of the same batch find it.
 * An identifier already held by another member is left where it is (merging is evidence-based and
 * lives elsewhere); weak identifiers never decide.
 */
public final class BatchStitcher {

    /** The identifiers of one event, by its position in the batch. */
    public record EventIdentifiers(int index, List<Identifier> identifiers) {
    }

    /** Which member an event went to, and by which identifier (empty for a new member). */
    public record Assignment(int index, String memberId, Optional<IdentifierType> matchedBy) {
        public boolean createdMember() {
            return matchedBy.isEmpty();
        }
    }

    public record Result(List<Assignment> assignments, Set<String> newMembers, Map<Identifier, String> newLinks,
            int conflicts) {
    }

    private BatchStitcher() {
    }

    /**
     * @param known          current owners of the batch's identifiers (from the store)
     * @param newMemberId    a source of fresh member ids
     */
    public static Result stitch(List<EventIdentifiers> events, Map<Identifier, String> known,
            Supplier<String> newMemberId) {
        Map<Identifier, String> owners = new HashMap<>(known);
        Map<Identifier, String> newLinks = new HashMap<>();
        Set<String> newMembers = new HashSet<>();
        List<Assignment> assignments = new ArrayList<>(events.size());
        int conflicts = 0;
        for (EventIdentifiers event : events) {
            List<Identifier> strong = event.identifiers().stream()
                    .filter(identifier -> identifier.type().isStrong())
                    .sorted(Comparator.comparing(Identifier::type))
                    .toList();
            Identifier decisive = strong.stream().filter(owners::containsKey).findFirst().orElse(null);
            String memberId;
            if (decisive != null) {
                memberId = owners.get(decisive);
            } else {
                memberId = newMemberId.get();
                newMembers.add(memberId);
            }
            for (Identifier identifier : strong) {
                String owner = owners.get(identifier);
                if (owner == null) {
                    owners.put(identifier, memberId);
                    newLinks.put(identifier, memberId);
                } else if (!owner.equals(memberId)) {
                    conflicts++;
                }
            }
            assignments.add(new Assignment(event.index(), memberId,
                    decisive == null ? Optional.empty() : Optional.of(decisive.type())));
        }
        return new Result(assignments, newMembers, newLinks, conflicts);
    }
}
