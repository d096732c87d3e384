package io.memberpulse.churn.domain;

import java.time.Instant;
import java.util.Objects;

/**
 * One purchase fact of a member: an order line (amount paid) or a refund (amount negative). {@code orderId} names the
 * order across channels (source:order_id: a till's 1001 and the mini-program's 1001 are two orders).
 */
public record Purchase(String orderId, boolean refund, Instant occurredAt, String storeId, double amount) {
    public Purchase {
        Objects.requireNonNull(orderId, "orderId");
        Objects.requireNonNull(occurredAt, "occurredAt");
    }
}
