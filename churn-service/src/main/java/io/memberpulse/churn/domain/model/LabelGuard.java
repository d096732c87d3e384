package io.memberpulse.churn.domain.model;

import java.util.Set;

/**
 * What the label-outage guard ({@link LabelOutage}) judges: silences of at least {@code minDays} days (0: none), in
 * the whole purchase feed and in each channel but the closed ones. A channel the chain closed for good (a delivery
 * platform it left) falls silent for real: its members' churn is real too, and without naming it every retrain would
 * be refused until its last sale is a horizon old.
 *
 * @param minDays        the shortest silence that refuses a run; 0 turns the guard off
 * @param closedChannels channels (an order line's source) whose silence is not judged
 */
public record LabelGuard(int minDays, Set<String> closedChannels) {

    public LabelGuard {
        if (minDays < 0) {
            throw new IllegalArgumentException("memberpulse.churn.label-outage-days must be 0 (off) or more: " + minDays);
        }
        closedChannels = Set.copyOf(closedChannels);
    }

    /** The guard over every channel. */
    public static LabelGuard of(int minDays) {
        return new LabelGuard(minDays, Set.of());
    }

    public boolean judges(String channel) {
        return !closedChannels.contains(channel);
    }
}
