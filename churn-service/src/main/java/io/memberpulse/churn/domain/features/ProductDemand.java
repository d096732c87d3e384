package io.memberpulse.churn.domain.features;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * What all members were buying just before a cut-off: per product (SKU), how many members bought it
 * in the last {@value #RECENT_DAYS} days and in the {@value #EARLIER_DAYS} days before those, and the
 * first purchase day of any member (where the records begin). A member whose products others are
 * buying more and more (the season turning towards them) tends to come back; one whose products no
 * longer sell tends to leave. Learnt from the facts before the cut-off alone.
 *
 * @param buyers SKU -> {members who bought it in the recent days, members who bought it in the earlier days}
 * @param firstDay the first purchase day (epoch day) among all members; {@link Long#MIN_VALUE} when none
 */
public record ProductDemand(Map<String, int[]> buyers, long firstDay) {
    public static final int RECENT_DAYS = 30;
    public static final int EARLIER_DAYS = 90;

    public static final ProductDemand NONE = new ProductDemand(Map.of(), Long.MIN_VALUE);

    public static ProductDemand of(Collection<MemberHistory> histories) {
        Map<String, int[]> buyers = new HashMap<>();
        long first = Long.MAX_VALUE;
        for (MemberHistory history : histories) {
            Set<String> recent = new HashSet<>();
            Set<String> earlier = new HashSet<>();
            for (Order order : history.orders()) {
                first = Math.min(first, order.day());
                long age = history.asOfDay() - order.day();
                if (age < RECENT_DAYS) {
                    recent.addAll(order.skus());
                } else if (age < RECENT_DAYS + EARLIER_DAYS) {
                    earlier.addAll(order.skus());
                }
            }
            recent.forEach(sku -> buyers.computeIfAbsent(sku, k -> new int[2])[0]++);
            earlier.forEach(sku -> buyers.computeIfAbsent(sku, k -> new int[2])[1]++);
        }
        return new ProductDemand(buyers, first == Long.MAX_VALUE ? Long.MIN_VALUE : first);
    }

    /** Members who bought the product in the recent days; 0 when unknown. */
    public int recentBuyers(String sku) {
        int[] counts = buyers.get(sku);
        return counts == null ? 0 : counts[0];
    }

    /**
     * log of (recent buyers + 1) / (earlier buyers per recent-length period + 1): above 0 when the
     * product sells faster now than before.
     */
    public double momentum(String sku) {
        int[] counts = buyers.getOrDefault(sku, new int[2]);
        double earlierRate = counts[1] * RECENT_DAYS / (double) EARLIER_DAYS;
        return Math.log((counts[0] + 1) / (earlierRate + 1));
    }

    /** Days from the start of the records to {@code day}; NaN when the records are empty. */
    public double daysOfRecords(long day) {
        return firstDay == Long.MIN_VALUE ? Double.NaN : day - firstDay;
    }

    void write(DataOutputStream out) throws IOException {
        out.writeLong(firstDay);
        out.writeInt(buyers.size());
        for (Map.Entry<String, int[]> entry : buyers.entrySet()) {
            out.writeUTF(entry.getKey());
            out.writeInt(entry.getValue()[0]);
            out.writeInt(entry.getValue()[1]);
        }
    }

    static ProductDemand read(DataInputStream in) throws IOException {
        long first = in.readLong();
        int size = in.readInt();
        Map<String, int[]> buyers = new HashMap<>(size * 2);
        for (int i = 0; i < size; i++) {
            buyers.put(in.readUTF(), new int[] {in.readInt(), in.readInt()});
        }
        return new ProductDemand(buyers, first);
    }
}
