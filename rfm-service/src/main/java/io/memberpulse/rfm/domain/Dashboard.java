package io.memberpulse.rfm.domain;

import java.time.LocalDate;

/** The rows of the dashboard views operators ask for (DOMAIN.md §2). */
public final class Dashboard {
    private Dashboard() {
    }

    /** New members of a store in a period and how many bought again within 7 days of their first order. */
    public record FunnelRow(String storeId, long newMembers, long repurchasedWithin7Days, double rate) {
    }

    public record TrendRow(LocalDate week, long activeMembers, long orders, double revenue) {
    }

    public record RepurchaseRow(long buyers, long repeatBuyers, double repurchaseRate, Double medianCycleDays) {
    }

    public record BucketRow(double from, double to, long orders) {
    }

    public record StoreRow(String storeId, long members, long orders, double revenue, double averageOrderValue,
            double repurchaseRate) {
    }

    public record SegmentSizeRow(LocalDate day, String segmentId, long size) {
    }

}
