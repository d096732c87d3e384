package io.memberpulse.rfm.domain;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The segments of the store-target table (shared/docs/DOMAIN.md §2): F per 30 days, M as net spend
 * over 30 days. A member who never bought is in none.
 */
public final class DefaultSegments {
    public static final String HIGH_VALUE_ACTIVE = "high-value-active";
    public static final String POTENTIAL = "potential";
    public static final String CHURN_EDGE = "churn-edge";

    public static final List<SegmentRule> RULES = List.of(
            new SegmentRule(HIGH_VALUE_ACTIVE, "High-value active", "R <= 6d and F30 >= 5 and M30 >= 700",
                    r -> bought(r) && r.recencyDays() <= 6 && r.frequency30d() >= 5 && r.monetaryNet30d() >= 700),
            new SegmentRule(POTENTIAL, "Potential", "R <= 12d and F30 >= 3 and M30 >= 400",
                    r -> bought(r) && r.recencyDays() <= 12 && r.frequency30d() >= 3 && r.monetaryNet30d() >= 400),
            new SegmentRule(CHURN_EDGE, "Churn edge", "R >= 20d and F30 <= 1 and M30 <= 200",
                    r -> bought(r) && r.recencyDays() >= 20 && r.frequency30d() <= 1 && r.monetaryNet30d() <= 200));

    private DefaultSegments() {
    }

    public static Set<String> of(Rfm rfm) {
        Set<String> segments = new LinkedHashSet<>();
        for (SegmentRule rule : RULES) {
            if (rule.matches(rfm)) {
                segments.add(rule.id());
            }
        }
        return segments;
    }

    private static boolean bought(Rfm rfm) {
        return rfm.recencyDays() != null;
    }
}
