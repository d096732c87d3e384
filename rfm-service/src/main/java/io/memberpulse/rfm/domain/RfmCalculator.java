package io.memberpulse.rfm.domain;

import java.time.Instant;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Computes RFM from a member's purchase lines as of an instant, in event time: nothing after
 * {@code asOf} counts, so replaying history gives what living through it gave.
 * An order is net when what was paid for it exceeds what was refunded on it; its weight in the
 * margin-weighted frequency is its margin rate relative to the default rate, and its margin is what
 * is left after refunds (refunded x margin / paid comes off). The answer does not depend on the order
 * of the lines, which storage does not keep.
 */
public final class RfmCalculator {
    private final double defaultMarginRate;

    public RfmCalculator(double defaultMarginRate) {
        if (defaultMarginRate <= 0 || defaultMarginRate > 1) {
            throw new IllegalArgumentException("defaultMarginRate must be within (0, 1]: " + defaultMarginRate);
        }
        this.defaultMarginRate = defaultMarginRate;
    }

    /**
     * Orders before refunds (a refund must find its order however the lines came), then every field, so
     * that lines sort the same way whatever their order and the sums come out to the same last bit.
     */
    private static final Comparator<PurchaseLine> ORDERS_FIRST = Comparator.comparing(PurchaseLine::kind)
            .thenComparing(PurchaseLine::occurredAt)
            .thenComparing(PurchaseLine::orderId)
            .thenComparing(PurchaseLine::storeId, Comparator.nullsFirst(Comparator.naturalOrder()))
            .thenComparingDouble(PurchaseLine::paidAmount)
            .thenComparing(PurchaseLine::marginRate, Comparator.nullsFirst(Comparator.naturalOrder()))
            .thenComparingDouble(PurchaseLine::refundAmount)
            .thenComparing(PurchaseLine::category, Comparator.nullsFirst(Comparator.naturalOrder()));

    private static final class Order {
        Instant placedAt;
        String storeId;
        double paid;
        double margin;
        double refunded;

        /** The margin left after refunds: a fully refunded order earns nothing, a half refunded one half. */
        double marginAfterRefunds() {
            return paid > 0 ? margin * Math.max(0, paid - refunded) / paid : 0;
        }
    }

    /**
     * The live computation: RFM from the member's purchases, with the registration (the home store of a
     * member who registered and never bought is the store they registered in).
     */
    public Rfm compute(String memberId, MemberHistory history, Instant asOf) {
        Rfm rfm = compute(memberId, history.lines(), asOf);
        Optional<MemberFact> registration = history.registration(asOf);
        if (registration.isEmpty()) {
            return rfm;
        }
        String homeStore = rfm.homeStoreId() != null ? rfm.homeStoreId() : registration.get().storeId();
        return new Rfm(memberId, asOf, rfm.lastPurchaseAt(), rfm.recencyDays(), rfm.frequency7d(), rfm.frequency14d(),
                rfm.frequency30d(), rfm.frequency90d(), rfm.weightedFrequency30d(), rfm.weightedFrequency90d(),
                rfm.monetaryNet30d(), rfm.monetaryNet90d(), rfm.monetaryMargin90d(), rfm.ordersTotal(),
                rfm.monetaryNetTotal(), homeStore, registration.get().occurredAt());
    }

    /** RFM from purchases alone (no registration known). */
    public Rfm compute(String memberId, Collection<PurchaseLine> lines, Instant asOf) {
        Map<String, Order> orders = new HashMap<>();
        double refunds30 = 0;
        double refunds90 = 0;
        double refundsTotal = 0;
        PurchaseLine[] sorted = lines.toArray(PurchaseLine[]::new);
        Arrays.sort(sorted, ORDERS_FIRST);
        for (PurchaseLine line : sorted) {
            if (line.occurredAt().isAfter(asOf)) {
                continue;
            }
            double ageDays = ageDays(line.occurredAt(), asOf);
            if (line.kind() == PurchaseLine.Kind.REFUND) {
                refundsTotal += line.refundAmount();
                refunds90 += ageDays < 90 ? line.refundAmount() : 0;
                refunds30 += ageDays < 30 ? line.refundAmount() : 0;
                Order refunded = orders.get(line.orderId());
                if (refunded != null) {
                    refunded.refunded += line.refundAmount();
                }
                continue;
            }
            Order order = orders.computeIfAbsent(line.orderId(), id -> new Order());
            if (order.placedAt == null || line.occurredAt().isBefore(order.placedAt)) {
                order.placedAt = line.occurredAt();
                order.storeId = line.storeId();
            }
            order.paid += line.paidAmount();
            order.margin += line.paidAmount() * (line.marginRate() == null ? defaultMarginRate : line.marginRate());
        }

        Instant last = null;
        int f7 = 0, f14 = 0, f30 = 0, f90 = 0;
        double wf30 = 0, wf90 = 0, m30 = 0, m90 = 0, margin90 = 0, mTotal = 0;
        long ordersTotal = 0;
        Map<String, Integer> ordersPerStore90 = new HashMap<>();
        Map<String, Integer> ordersPerStore = new HashMap<>();
        for (Order order : orders.values()) {
            mTotal += order.paid;
            double age = ageDays(order.placedAt, asOf);
            if (age < 90) {
                m90 += order.paid;
                margin90 += order.marginAfterRefunds();
                m30 += age < 30 ? order.paid : 0;
            }
            if (order.paid - order.refunded <= 0) {
                continue; // fully refunded: not a purchase
            }
            ordersTotal++;
            if (last == null || order.placedAt.isAfter(last)) {
                last = order.placedAt;
            }
            double weight = order.paid > 0 ? (order.margin / order.paid) / defaultMarginRate : 1;
            if (order.storeId != null && !order.storeId.isEmpty()) {
                ordersPerStore.merge(order.storeId, 1, Integer::sum);
                if (age < 90) {
                    ordersPerStore90.merge(order.storeId, 1, Integer::sum);
                }
            }
            if (age < 7) f7++;
            if (age < 14) f14++;
            if (age < 30) {
                f30++;
                wf30 += weight;
            }
            if (age < 90) {
                f90++;
                wf90 += weight;
            }
        }
        Double recency = last == null ? null : ageDays(last, asOf);
        String homeStore = mostFrequent(ordersPerStore90.isEmpty() ? ordersPerStore : ordersPerStore90);
        return new Rfm(memberId, asOf, last, recency, f7, f14, f30, f90, wf30, wf90,
                m30 - refunds30, m90 - refunds90, margin90, ordersTotal, mTotal - refundsTotal, homeStore, null);
    }

    private static double ageDays(Instant at, Instant asOf) {
        return Rfm.ageDays(at, asOf);
    }

    private static String mostFrequent(Map<String, Integer> counts) {
        return counts.entrySet().stream()
                .max(Map.Entry.<String, Integer>comparingByValue()
                        .thenComparing(Map.Entry.<String, Integer>comparingByKey().reversed())) // ties: first by name
                .map(Map.Entry::getKey).orElse(null);
    }
}
