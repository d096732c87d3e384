package io.memberpulse.campaign.domain;

import io.memberpulse.proto.checks.FieldChecks;

/**
 * Which call list a caller asks for.
 *
 * @param limit how many tasks at most; 0 means what is left of the store's daily call capacity
 */
public record CallListQuery(String storeId, int limit) {

    public CallListQuery {
        FieldChecks.checkId("store_id", storeId); // required, and an id PostgreSQL can take
        if (limit < 0) {
            throw new InvalidArgumentException("limit", "must be 0 (the daily capacity) or more, was " + limit);
        }
    }

    /** Refuses a limit above what a call list holds at most. */
    public CallListQuery checkAtMost(int maxTasks) {
        if (limit > maxTasks) {
            throw new InvalidArgumentException("limit", "must be at most " + maxTasks + " (a call list's most tasks), was "
                    + limit);
        }
        return this;
    }

    /**
     * The limit asked for, or without one what is left of the day's capacity: the calls the store already recorded
     * that day (outcomes of its tasks) count against it, so the list asked for again after calls were made does not
     * hand out another full day's worth.
     *
     * @param callsMadeToday outcomes recorded in the store since the start of its day
     */
    public int limitOr(int dailyCapacity, long callsMadeToday) {
        return limit == 0 ? (int) Math.max(0, dailyCapacity - callsMadeToday) : limit;
    }
}
