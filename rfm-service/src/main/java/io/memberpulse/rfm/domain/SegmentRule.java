package io.memberpulse.rfm.domain;

import java.util.function.Predicate;

/** A named segment and the rule a member's RFM must meet to be in it. */
public record SegmentRule(String id, String name, String description, Predicate<Rfm> rule) {
    public boolean matches(Rfm rfm) {
        return rule.test(rfm);
    }
}
