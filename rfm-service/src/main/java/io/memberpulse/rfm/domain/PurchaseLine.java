package io.memberpulse.rfm.domain;

import java.time.Instant;
import java.util.Objects;

/**
 * One order line or refund of a member; amounts in the store currency. {@code orderId} names the order across
 * channels (the store reads it as source:order_id: a till's order 1001 and the mini-program's 1001 are two orders).
 * {@code category} is the line's category path (dairy/yogurt/greek, deepest level = the SKU attribute), null when
 * not reported.
 */
public record PurchaseLine(String orderId, Kind kind, Instant occurredAt, String storeId, double paidAmount,
        Double marginRate, double refundAmount, String category) {

    public enum Kind { ORDER, REFUND }

    public PurchaseLine {
        Objects.requireNonNull(orderId, "orderId");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(occurredAt, "occurredAt");
        if (marginRate != null && (marginRate < 0 || marginRate > 1)) {
            throw new IllegalArgumentException("marginRate must be within 0..1: " + marginRate);
        }
        category = category == null || category.isBlank() ? null : category.strip();
    }

    public PurchaseLine(String orderId, Kind kind, Instant occurredAt, String storeId, double paidAmount,
            Double marginRate, double refundAmount) {
        this(orderId, kind, occurredAt, storeId, paidAmount, marginRate, refundAmount, null);
    }
}
