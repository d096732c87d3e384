package io.memberpulse.campaign.domain;

import java.time.Instant;
import java.time.ZoneId;
import java.util.List;

/**
 * A store's OPEN tasks, largest value at risk first, as of {@code generatedAt}: the calls within the
 * store's capacity, and the overflow, which shopping guides handle as private messages instead.
 *
 * @param dayZone the time zone whose calendar days staff read (talking points' dates)
 */
public record CallList(String storeId, Instant generatedAt, List<CallTask> tasks, List<CallTask> overflow, ZoneId dayZone) {

    public CallList {
        tasks = List.copyOf(tasks);
        overflow = List.copyOf(overflow);
    }

    /** The first {@code limit} of a store's ranked OPEN tasks to call; the rest to message. */
    public static CallList firstOf(String storeId, List<CallTask> ranked, int limit, Instant now, ZoneId dayZone) {
        int calls = Math.min(limit, ranked.size());
        return new CallList(storeId, now, ranked.subList(0, calls), ranked.subList(calls, ranked.size()), dayZone);
    }
}
