package io.memberpulse.identity.domain;

import java.time.Instant;
import java.util.Arrays;
import java.util.Comparator;

/**
 * The other strong identifiers one value was seen with (in the same events), each with the last time it was seen with
 * it, for placeholder detection ({@link PlaceholderDetector}). Counted like the per-type limits: a companion last seen
 * with the value longer than the re-issue gap before an event no longer counts at that event (a card or number of the
 * member's given up years ago), but one of a lifelong type (a UnionID) always does, and so does one seen at an unknown
 * time.
 * <p>
 * Bounded, yet deciding as every companion ever seen would, in whatever order the events come: only the most recently
 * seen are kept, one past {@code maxIdentitiesPerValue} in all and, of each type with a per-member limit, one past that
 * limit. The companions that count at a time are always the most recently seen ones, so whether more than a limit of
 * them count is told by the limit + 1 most recent; one dropped would never be among them again (the ranks only rise as
 * more is seen), so a graph rebuilt from the stored events, in another order, keeps the same companions. Ties in time
 * are ranked by type and value. Not thread-safe, like the graph.
 */
final class Companions {
    /** The time kept for a companion that always counts: a lifelong type, or seen at an unknown time. */
    private static final long ALWAYS = Long.MAX_VALUE;
    private static final Comparator<Identifier> TIE_BREAK = Comparator.comparing(Identifier::type)
            .thenComparing(Identifier::value);

    private Identifier[] ids = new Identifier[2];
    private long[] lastSeen = new long[2]; // epoch milliseconds, or ALWAYS
    private int size;

    int size() {
        return size;
    }

    /** Records that the value was seen with {@code companion} at {@code at} (null: an unknown time). */
    void see(Identifier companion, Instant at) {
        long seen = companion.type().isLifelong() || at == null ? ALWAYS : at.toEpochMilli();
        for (int i = 0; i < size; i++) {
            if (ids[i].equals(companion)) {
                lastSeen[i] = Math.max(lastSeen[i], seen);
                return;
            }
        }
        if (size == ids.length) {
            ids = Arrays.copyOf(ids, size * 2);
            lastSeen = Arrays.copyOf(lastSeen, size * 2);
        }
        ids[size] = companion;
        lastSeen[size++] = seen;
    }

    /**
     * Drops the companions that can no longer decide: those neither among the {@code maxIdentitiesPerValue} + 1 most
     * recently seen nor among the limit + 1 most recently seen of their type (a type without a limit: the first only).
     */
    void prune(StitchGuardrails guardrails) {
        int total = guardrails.maxIdentitiesPerValue() + 1;
        if (size <= total) {
            return;
        }
        int kept = 0;
        Identifier[] keptIds = new Identifier[size];
        long[] keptSeen = new long[size];
        for (int i = 0; i < size; i++) {
            int typeLimit = guardrails.limitOf(ids[i].type());
            int newer = 0;
            int newerOfType = 0;
            for (int j = 0; j < size; j++) {
                if (j != i && newer(j, i)) {
                    newer++;
                    if (ids[j].type() == ids[i].type()) {
                        newerOfType++;
                    }
                }
            }
            if (newer < total || typeLimit > 0 && newerOfType <= typeLimit) {
                keptIds[kept] = ids[i];
                keptSeen[kept++] = lastSeen[i];
            }
        }
        ids = keptIds;
        lastSeen = keptSeen;
        size = kept;
    }

    /** Whether any companion kept is one {@code test} accepts. */
    boolean any(java.util.function.Predicate<Identifier> test) {
        for (int i = 0; i < size; i++) {
            if (test.test(ids[i])) {
                return true;
            }
        }
        return false;
    }

    /** The companions and when each was last seen, sorted: for comparing two graphs in tests. */
    String describe() {
        java.util.List<String> all = new java.util.ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            all.add(ids[i] + "@" + lastSeen[i]);
        }
        java.util.Collections.sort(all);
        return all.toString();
    }

    /** Whether companion j ranks before companion i: seen later, or at the same time and first by type and value. */
    private boolean newer(int j, int i) {
        return lastSeen[j] != lastSeen[i] ? lastSeen[j] > lastSeen[i] : TIE_BREAK.compare(ids[j], ids[i]) < 0;
    }

    /**
     * Whether the companions counting at {@code at} cannot all be one person's: more than {@code maxIdentitiesPerValue}
     * in all, and more of some type than one member may hold of it (a type without a per-member limit never decides
     * this). A companion counts unless it was last seen with the value longer than the re-issue gap before {@code at};
     * every one counts when the gap is off or {@code at} unknown.
     */
    boolean cannotBeOnePersons(Instant at, StitchGuardrails guardrails) {
        if (size <= guardrails.maxIdentitiesPerValue()) {
            return false;
        }
        long from = guardrails.reissueGap() == null || at == null ? Long.MIN_VALUE
                : at.toEpochMilli() - guardrails.reissueGap().toMillis();
        int counted = 0;
        boolean typeOver = false;
        int[] perType = new int[IdentifierType.values().length];
        for (int i = 0; i < size; i++) {
            if (lastSeen[i] >= from) {
                counted++;
                IdentifierType type = ids[i].type();
                int typeLimit = guardrails.limitOf(type);
                typeOver |= typeLimit > 0 && ++perType[type.ordinal()] > typeLimit;
            }
        }
        return typeOver && counted > guardrails.maxIdentitiesPerValue();
    }
}
