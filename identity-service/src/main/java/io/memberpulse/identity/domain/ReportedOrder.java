package io.memberpulse.identity.domain;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntFunction;

/**
 * One channel's report of an order as far as it is known: the lines given of one (source, order id),
 * which may be only some of its lines when the rest come in a later batch.
 */
final class ReportedOrder {
    final String source;
    final String storeId;
    final List<OrderDeduplicator.Line> lines = new ArrayList<>();
    private final Map<String, Integer> keys = new HashMap<>();
    private final IntFunction<List<Identifier>> buyerOf;
    /** The values of each person-naming type its lines' buyer carries; read on first need. */
    private Map<IdentifierType, Set<String>> people;
    Instant at;
    /** The other channel's report of this order, once known; {@code taken} when it is one not given. */
    ReportedOrder partner;
    boolean taken;

    ReportedOrder(OrderDeduplicator.Line first, IntFunction<List<Identifier>> buyerOf) {
        this.buyerOf = buyerOf;
        this.source = first.source();
        this.storeId = first.storeId();
        this.at = first.occurredAt();
    }

    void add(OrderDeduplicator.Line line) {
        lines.add(line);
        keys.merge(line.key(), 1, Integer::sum);
        at = line.occurredAt().isBefore(at) ? line.occurredAt() : at;
    }

    boolean isFree() {
        return partner == null && !taken;
    }

    /**
     * Store and the sorted line keys: two reports of one whole order have the same. From the keys counted in
     * {@link #add}, as formatting a line's key is the costly step.
     */
    String signature() {
        List<String> sorted = new ArrayList<>(lines.size());
        keys.forEach((key, count) -> {
            for (int i = 0; i < count; i++) {
                sorted.add(key);
            }
        });
        sorted.sort(null);
        return storeId + '#' + sorted;
    }

    /** Whether every line of this one (counting repeats) is among the other's lines. */
    boolean isPartOf(ReportedOrder other) {
        for (Map.Entry<String, Integer> key : keys.entrySet()) {
            if (other.keys.getOrDefault(key.getKey(), 0) < key.getValue()) {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether the two name different people: both carry values of one type (member number, UnionID, phone, e-mail)
     * and share none of them. Reports of one order name one buyer, however many channels report it.
     */
    boolean namesAnotherPerson(ReportedOrder other) {
        Map<IdentifierType, Set<String>> theirs = other.people();
        for (Map.Entry<IdentifierType, Set<String>> values : people().entrySet()) {
            Set<String> same = theirs.get(values.getKey());
            if (same != null && Collections.disjoint(values.getValue(), same)) {
                return true;
            }
        }
        return false;
    }

    private Map<IdentifierType, Set<String>> people() {
        if (people == null) {
            people = new EnumMap<>(IdentifierType.class);
            for (OrderDeduplicator.Line line : lines) {
                for (Identifier buyer : buyerOf.apply(line.index())) {
                    if (OrderDeduplicator.PERSON_TYPES.contains(buyer.type())) {
                        people.computeIfAbsent(buyer.type(), t -> new HashSet<>(2)).add(buyer.value());
                    }
                }
            }
        }
        return people;
    }

    static void partners(ReportedOrder a, ReportedOrder b) {
        a.partner = b;
        b.partner = a;
    }
}
