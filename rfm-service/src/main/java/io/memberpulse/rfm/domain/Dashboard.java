package io.memberpulse.rfm.domain;

import java.time.LocalDate;

/** The rows of the dashboard views operators ask for (DOMAIN.md §2). */
public final class Dashboard {
    private Dashboard() {
    }

    /**
     * New members of a store in a period and how many bought again within 7 days of their first order.
     *
     * @param stillWithinFirst7Days new members whose first order is less than 7 days before the event-time clock:
     *                              not yet counted in the rate, either way
     * @param rate                  repurchased within 7 days over the new members whose 7 days are over
     */
    public record FunnelRow(String storeId, long newMembers, long repurchasedWithin7Days, long stillWithinFirst7Days,
            double rate) {

        public static FunnelRow of(String storeId, long newMembers, long repurchasedWithin7Days, long stillWithinFirst7Days) {
            long settled = newMembers - stillWithinFirst7Days;
            return new FunnelRow(storeId, newMembers, repurchasedWithin7Days, stillWithinFirst7Days,
                    settled == 0 ? 0 : (double) repurchasedWithin7Days / settled);
        }
    }

    /**
     * @param revenue the week's orders net of their refunds, less the refunds of unknown orders made in the week (as M)
     */
    public record TrendRow(LocalDate week, long activeMembers, long orders, double revenue) {
    }

    public record RepurchaseRow(long buyers, long repeatBuyers, double repurchaseRate, Double medianCycleDays) {
    }

    public record BucketRow(double from, double to, long orders) {
    }

    /**
     * @param members           distinct buyers at the store
     * @param revenue           its orders net of their refunds, less the refunds of unknown orders made at the store (as
     *                          M): a store with only such refunds has a row of no members or orders
     * @param averageOrderValue its orders' own net value per order (a refund of an unknown order is no order)
     */
    public record StoreRow(String storeId, long members, long orders, double revenue, double averageOrderValue,
            double repurchaseRate) {
    }

    /**
     * The store comparison's figures over a region's stores (the store directory's; {@code unassigned}: stores without
     * a region). Like a store's row, a member is counted once in each row they bought in: a member who bought at two
     * stores of one region is one member of it, and their orders there count together towards its repurchase rate.
     *
     * @param stores the stores of the region with orders (or refunds of unknown orders) in the window
     */
    public record RegionRow(String region, java.util.List<String> stores, long members, long orders, double revenue,
            double averageOrderValue, double repurchaseRate) {
    }

    public record SegmentSizeRow(LocalDate day, String segmentId, long size) {
    }

}
