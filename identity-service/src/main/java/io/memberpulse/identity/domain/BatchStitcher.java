package io.memberpulse.identity.domain;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
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
 * lives elsewhere); weak identifiers (shared devices, masked phones) never decide.
 *
 * <p>Guardrails ({@link StitchGuardrails}): blocked and automatically detected placeholder values are
 * quarantined and never link; a member holds at most the configured number of values per type; a
 * phone that comes back after a long silence with somebody else's strong identifiers was re-issued
 * and moves to its new holder instead of merging the two people.
 */
public final class BatchStitcher {

    /** The identifiers of one event, by its position in the batch, with when and where it happened (may be null). */
    public record EventIdentifiers(int index, List<Identifier> identifiers, Instant occurredAt, String storeId) {
        public EventIdentifiers(int index, List<Identifier> identifiers) {
            this(index, identifiers, null, null);
        }
    }

    /** Which member an event went to, and by which identifier (empty for a new member). */
    public record Assignment(int index, String memberId, Optional<IdentifierType> matchedBy) {
        public boolean createdMember() {
            return matchedBy.isEmpty();
        }
    }

    /**
     * @param newLinks    identifiers that now point at a member (new ones and re-issued ones that moved)
     * @param quarantined strong values found to be placeholders in this batch (blocked ones included)
     */
    public record Result(List<Assignment> assignments, Set<String> newMembers, Map<Identifier, String> newLinks,
            int conflicts, Set<Identifier> quarantined) {
    }

    /**
     * What the store knows before the batch.
     *
     * @param owners      current owner of each identifier (those of the batch and everything their members hold)
     * @param lastSeen    when each of those identifiers was last used
     * @param quarantined values found to be placeholders before
     * @param stores      the distinct stores each identifier was seen at before (placeholder detection)
     */
    public record Known(Map<Identifier, String> owners, Map<Identifier, Instant> lastSeen, Set<Identifier> quarantined,
            Map<Identifier, Set<String>> stores) {
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

    /**
     * @param known          current owners of the batch's identifiers (from the store)
     * @param newMemberId    a source of fresh member ids
     * @param guardrails     what keeps placeholders, shared and re-issued values from merging people
     */
    public static Result stitch(List<EventIdentifiers> events, Map<Identifier, String> known,
            Supplier<String> newMemberId, StitchGuardrails guardrails) {
        return stitch(events, Known.owners(known), newMemberId, guardrails);
    }

    public static Result stitch(List<EventIdentifiers> events, Known known, Supplier<String> newMemberId,
            StitchGuardrails guardrails) {
        Set<Identifier> quarantined = PlaceholderDetector.detect(events, guardrails, known.stores());
        Set<Identifier> blocked = new HashSet<>(quarantined);
        blocked.addAll(known.quarantined());
        Map<Identifier, String> owners = new HashMap<>(known.owners());
        Map<Identifier, String> newLinks = new HashMap<>();
        Map<Identifier, Instant> lastSeen = new HashMap<>(known.lastSeen());
        Map<String, Map<IdentifierType, Set<String>>> held = new HashMap<>();
        known.owners().forEach((identifier, member) -> holdings(held, member, identifier.type()).add(identifier.value()));
        Set<String> newMembers = new HashSet<>();
        List<Assignment> assignments = new ArrayList<>(events.size());
        int conflicts = 0;
        for (EventIdentifiers event : events) {
            List<Identifier> strong = event.identifiers().stream()
                    .filter(identifier -> identifier.type().isStrong() && !blocked.contains(identifier))
                    .sorted(Comparator.comparing(Identifier::type))
                    .toList();
            Set<Identifier> reissued = reissued(event, strong, owners, lastSeen, held, guardrails);
            Identifier decisive = strong.stream()
                    .filter(identifier -> owners.containsKey(identifier) && !reissued.contains(identifier))
                    .findFirst().orElse(null);
            String memberId;
            if (decisive != null) {
                memberId = owners.get(decisive);
            } else {
                memberId = newMemberId.get();
                newMembers.add(memberId);
            }
            for (Identifier identifier : strong) {
                String owner = owners.get(identifier);
                if (owner != null && reissued.contains(identifier)) {
                    holdings(held, owner, identifier.type()).remove(identifier.value());
                    owner = null;
                }
                if (owner == null) {
                    Set<String> values = holdings(held, memberId, identifier.type());
                    int limit = guardrails.limitOf(identifier.type());
                    if (limit > 0 && values.size() >= limit) {
                        conflicts++; // the member already holds as many of this type as allowed
                        continue;
                    }
                    values.add(identifier.value());
                    owners.put(identifier, memberId);
                    newLinks.put(identifier, memberId);
                } else if (!owner.equals(memberId)) {
                    conflicts++;
                }
            }
            if (event.occurredAt() != null) {
                for (Identifier identifier : strong) {
                    lastSeen.merge(identifier, event.occurredAt(), (a, b) -> a.isAfter(b) ? a : b);
                }
            }
            assignments.add(new Assignment(event.index(), memberId,
                    decisive == null ? Optional.empty() : Optional.of(decisive.type())));
        }
        return new Result(assignments, newMembers, newLinks, conflicts, quarantined);
    }

    /**
     * Phones of this event that were silent for longer than the re-issue gap and whose holder has since
     * moved to another phone, or that now come with a strong identifier contradicting their holder: one
     * held by another member, or a value of a type the holder already has another value of.
     */
    private static Set<Identifier> reissued(EventIdentifiers event, List<Identifier> strong, Map<Identifier, String> owners,
            Map<Identifier, Instant> lastSeen, Map<String, Map<IdentifierType, Set<String>>> held,
            StitchGuardrails guardrails) {
        if (guardrails.reissueGap() == null || event.occurredAt() == null) {
            return Set.of();
        }
        Set<Identifier> reissued = new HashSet<>();
        for (Identifier phone : strong) {
            String holder = owners.get(phone);
            Instant last = lastSeen.get(phone);
            if (phone.type() != IdentifierType.PHONE || holder == null || last == null
                    || !last.plus(guardrails.reissueGap()).isBefore(event.occurredAt())) {
                continue;
            }
            if (movedOn(holder, phone, last, lastSeen, held)) {
                reissued.add(phone);
                continue;
            }
            for (Identifier other : strong) {
                if (other.type() == IdentifierType.PHONE) {
                    continue;
                }
                String otherOwner = owners.get(other);
                boolean heldByAnother = otherOwner != null && !otherOwner.equals(holder);
                boolean unknownToHolder = otherOwner == null && !holdings(held, holder, other.type()).isEmpty();
                if (heldByAnother || unknownToHolder) {
                    reissued.add(phone);
                    break;
                }
            }
        }
        return reissued;
    }

    /** Whether the holder has used another phone since it last used this one (a number change). */
    private static boolean movedOn(String holder, Identifier phone, Instant last, Map<Identifier, Instant> lastSeen,
            Map<String, Map<IdentifierType, Set<String>>> held) {
        for (String value : holdings(held, holder, IdentifierType.PHONE)) {
            Instant otherLast = lastSeen.get(new Identifier(IdentifierType.PHONE, value));
            if (!value.equals(phone.value()) && otherLast != null && otherLast.isAfter(last)) {
                return true;
            }
        }
        return false;
    }

    private static Set<String> holdings(Map<String, Map<IdentifierType, Set<String>>> held, String member,
            IdentifierType type) {
        return held.computeIfAbsent(member, m -> new EnumMap<>(IdentifierType.class))
                .computeIfAbsent(type, t -> new HashSet<>());
    }
}
