package io.memberpulse.churn.domain.features;

import java.time.Instant;
import java.util.Objects;

/** A product out of stock at a store: sku and category may be null when the report lacks them. */
public record StockOut(Instant at, String storeId, String sku, String category) {
    public StockOut {
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(storeId, "storeId");
    }
}
