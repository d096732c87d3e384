package io.memberpulse.rfm.domain;

import java.time.Instant;
import java.util.Objects;

/** One order line or refund of a member; amounts in the store currency. */
public record PurchaseLine(String orderId, Kind kind, Instant occurredAt, String storeId, double paidAmount,
        Double marginRate, double refundAmount) {

    public enum Kind { ORDER, REFUND }

    public PurchaseLine {
        Objects.requireNonNull(orderId, "orderId");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(occurredAt, "occurredAt");
        if (marginRate != null && (marginRate < 0 || marginRate > 1)) {
            throw new IllegalArgumentException("marginRate must be within 0..1: " + marginRate);
        }
    }
}
