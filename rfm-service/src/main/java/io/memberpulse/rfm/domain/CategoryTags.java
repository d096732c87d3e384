package io.memberpulse.rfm.domain;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a member buys, down to the SKU attribute: for each level of the category path
 * (dairy → dairy/yogurt → dairy/yogurt/greek) the one bought most often (behaviour family), and the
 * three favourite top-level categories (interest family). Counts order lines as of the instant;
 * ties go to the name first in order, so the answer never depends on storage order.
 */
public final class CategoryTags {
    static final int LEVELS = 3;
    static final int FAVOURITES = 3;

    private CategoryTags() {
    }

    public static List<Tag> of(List<PurchaseLine> lines, Instant asOf) {
        List<Map<String, Integer>> perLevel = new ArrayList<>();
        for (int level = 0; level < LEVELS; level++) {
            perLevel.add(new HashMap<>());
        }
        for (PurchaseLine line : bought(lines, asOf)) {
            List<String> prefixes = prefixes(line.category());
            for (int level = 0; level < Math.min(LEVELS, prefixes.size()); level++) {
                perLevel.get(level).merge(prefixes.get(level), 1, Integer::sum);
            }
        }
        List<Tag> tags = new ArrayList<>();
        for (int level = 0; level < LEVELS; level++) {
            List<String> ranked = ranked(perLevel.get(level));
            if (!ranked.isEmpty()) {
                tags.add(new Tag("behaviour", "category_level_" + (level + 1), ranked.get(0)));
            }
        }
        List<String> top = ranked(perLevel.get(0));
        if (!top.isEmpty()) {
            tags.add(new Tag("interest", "favourite_categories", String.join(",", top.subList(0, Math.min(FAVOURITES, top.size())))));
        }
        return tags;
    }

    /** Every category path and path prefix the member bought as of the instant (for rules: "dairy/yogurt" in categories). */
    public static Set<String> pathsBought(List<PurchaseLine> lines, Instant asOf) {
        Set<String> paths = new LinkedHashSet<>();
        for (PurchaseLine line : bought(lines, asOf)) {
            paths.addAll(prefixes(line.category()));
        }
        return paths;
    }

    private static List<PurchaseLine> bought(List<PurchaseLine> lines, Instant asOf) {
        return lines.stream().filter(l -> l.kind() == PurchaseLine.Kind.ORDER && l.category() != null
                && !l.occurredAt().isAfter(asOf)).toList();
    }

    /** "a/b/c" → [a, a/b, a/b/c]; empty segments are skipped. */
    static List<String> prefixes(String path) {
        List<String> prefixes = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String part : path.split("/")) {
            String name = part.strip();
            if (name.isEmpty()) {
                continue;
            }
            current.append(current.isEmpty() ? "" : "/").append(name);
            prefixes.add(current.toString());
        }
        return prefixes;
    }

    private static List<String> ranked(Map<String, Integer> counts) {
        return counts.entrySet().stream()
                .sorted(Map.Entry.<String, Integer>comparingByValue(Comparator.reverseOrder()).thenComparing(Map.Entry.comparingByKey()))
                .map(Map.Entry::getKey).toList();
    }
}
