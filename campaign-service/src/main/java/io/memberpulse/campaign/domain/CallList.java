package io.memberpulse.campaign.domain;

import java.time.Instant;
import java.util.List;

/** A store's OPEN tasks, largest value at risk first, as of {@code generatedAt}. */
public record CallList(String storeId, Instant generatedAt, List<CallTask> tasks) {

    public CallList {
        tasks = List.copyOf(tasks);
    }

    /** The first {@code limit} of a store's ranked OPEN tasks. */
    public static CallList firstOf(String storeId, List<CallTask> ranked, int limit, Instant now) {
        return new CallList(storeId, now, ranked.subList(0, Math.min(limit, ranked.size())));
    }
}
