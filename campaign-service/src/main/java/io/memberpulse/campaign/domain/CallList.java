package io.memberpulse.campaign.domain;

import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A store's OPEN tasks as of {@code generatedAt}, overdue ones first (longest overdue first), then the largest value
 * at risk first: the calls within the store's capacity, and the overflow, which shopping guides handle as private
 * messages instead. Overdue first, or with more open tasks than the day's capacity the lowest values would breach
 * their 72 hours day after day.
 *
 * @param dayZone the time zone whose calendar days staff read (talking points' dates)
 * @param money   how talking points write amounts (memberpulse.campaign.currency)
 */
public record CallList(String storeId, Instant generatedAt, List<CallTask> tasks, List<CallTask> overflow, ZoneId dayZone,
        Money money) {
    /**
     * Overdue calls: longest overdue first, then the largest value at risk (a replan opens its calls with one due
     * time), then by id, so that a cached list and a fresh load agree on who is called within the day's capacity.
     * CallTaskRepository.rankedOpen reads them in this order.
     */
    public static final Comparator<CallTask> OVERDUE_ORDER = Comparator.comparing(CallTask::dueAt)
            .thenComparing(Comparator.comparingDouble(CallTask::valueAtRisk).reversed())
            .thenComparing(CallTask::taskId);

    public CallList {
        tasks = List.copyOf(tasks);
        overflow = List.copyOf(overflow);
    }

    /**
     * The first {@code limit} of a store's OPEN tasks to call, overdue ones first; the rest to message.
     *
     * @param ranked the tasks, largest value at risk first
     */
    public static CallList firstOf(String storeId, List<CallTask> ranked, int limit, Instant now, ZoneId dayZone,
            Money money) {
        List<CallTask> ordered = new ArrayList<>(ranked.stream().filter(task -> task.isOverdue(now))
                .sorted(OVERDUE_ORDER).toList());
        ranked.stream().filter(task -> !task.isOverdue(now)).forEach(ordered::add);
        int calls = Math.min(limit, ordered.size());
        return new CallList(storeId, now, ordered.subList(0, calls), ordered.subList(calls, ordered.size()), dayZone, money);
    }
}
