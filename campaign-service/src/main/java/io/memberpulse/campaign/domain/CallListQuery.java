package io.memberpulse.campaign.domain;

import io.memberpulse.proto.checks.FieldChecks;

/**
 * Which call list a caller asks for.
 *
 * @param limit how many tasks at most; 0 means the store's daily call capacity
 */
public record CallListQuery(String storeId, int limit) {

    public CallListQuery {
        FieldChecks.checkId("store_id", storeId); // required, and an id PostgreSQL can take
        if (limit < 0) {
            throw new InvalidArgumentException("limit", "must be 0 (the daily capacity) or more, was " + limit);
        }
    }

    public int limitOr(int dailyCapacity) {
        return limit == 0 ? dailyCapacity : limit;
    }
}
