package io.memberpulse.rfm.domain;

import java.util.Locale;

/** Where a member is in the relationship (DOMAIN.md §2), each with its play. */
public enum LifecycleStage {
    /** Just registered or a first purchase: welcome pack. */
    NEW,
    /** Repeat purchases rising: repurchase incentive. */
    GROWING,
    /** High frequency, high contribution: VIP care. */
    LOYAL,
    /** Activity falling: win-back push. */
    AT_RISK,
    /** Long inactive: re-marketing or retirement. */
    DORMANT;

    /** The segment id a stage is published under on member.segments. */
    public String segmentId() {
        return "stage:" + name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
