package io.memberpulse.rfm.domain;

import java.time.Instant;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;

/**
 * A member's orders as of an instant, grouped from the purchase lines known then: an order is placed when (and where)
 * its first line was, and carries what was paid for it, its margin and what was refunded on it by as-of. The one place
 * that decides what a purchase is: RFM's frequency and recency, and the repurchase cycle, count the same orders.
 */
final class Orders {
    /**
     * Orders before refunds (a refund must find its order however the lines came), then every field, so that lines
     * sort the same way whatever their order and the sums come out to the same last bit.
     */
    static final Comparator<PurchaseLine> ORDERS_FIRST = Comparator.comparing(PurchaseLine::kind)
            .thenComparing(PurchaseLine::occurredAt)
            .thenComparing(PurchaseLine::orderId)
            .thenComparing(PurchaseLine::storeId, Comparator.nullsFirst(Comparator.naturalOrder()))
            .thenComparingDouble(PurchaseLine::paidAmount)
            .thenComparing(PurchaseLine::marginRate, Comparator.nullsFirst(Comparator.naturalOrder()))
            .thenComparingDouble(PurchaseLine::refundAmount)
            .thenComparing(PurchaseLine::category, Comparator.nullsFirst(Comparator.naturalOrder()));

    /** One order as of the instant. */
    static final class Order {
        Instant placedAt;
        String storeId;
        double paid;
        double margin;
        double refunded;
        /** What refunds with a rate of their own (or their category's) took back, and the margin at that rate. */
        double refundedAtRate;
        double marginRefundedAtRate;

        /** A purchase: more was paid than refunded (a fully refunded order is none). */
        boolean isPurchase() {
            return paid - refunded > 0;
        }

        /**
         * The margin left after refunds: a fully refunded order earns nothing; a refund with a rate takes back its
         * amount at that rate (the cosmetics returned from a basket with tobacco take back the cosmetics' margin), one
         * without takes back its share of the order's margin (half refunded, half the margin).
         */
        double marginAfterRefunds() {
            if (paid <= 0 || !isPurchase()) {
                return 0;
            }
            if (refundedAtRate == 0) {
                return margin * (paid - refunded) / paid;
            }
            return Math.max(0, margin - marginRefundedAtRate - margin * (refunded - refundedAtRate) / paid);
        }

        /** The margin rate of what is left of the order after refunds (its rate as placed while nothing came back). */
        double marginRateAfterRefunds() {
            return refunded == 0 ? margin / paid : marginAfterRefunds() / (paid - refunded);
        }
    }

    private Orders() {
    }

    /**
     * The orders placed by as-of, by order id; lines after as-of do not count, and a refund whose order is not among
     * the lines refunds nothing here.
     * @param marginRates the margin rate of each line
     */
    static Map<String, Order> of(Collection<PurchaseLine> lines, Instant asOf, MarginRates marginRates) {
        Map<String, Order> orders = new HashMap<>();
        PurchaseLine[] sorted = lines.toArray(PurchaseLine[]::new);
        Arrays.sort(sorted, ORDERS_FIRST);
        for (PurchaseLine line : sorted) {
            if (line.occurredAt().isAfter(asOf)) {
                continue;
            }
            if (line.kind() == PurchaseLine.Kind.REFUND) {
                Order refunded = orders.get(line.orderId());
                if (refunded != null) {
                    refunded.refunded += line.refundAmount();
                    Double rate = marginRates.ownOrCategoryRate(line);
                    if (rate != null) {
                        refunded.refundedAtRate += line.refundAmount();
                        refunded.marginRefundedAtRate += line.refundAmount() * rate;
                    }
                }
                continue;
            }
            Order order = orders.computeIfAbsent(line.orderId(), id -> new Order());
            if (order.placedAt == null || line.occurredAt().isBefore(order.placedAt)) {
                order.placedAt = line.occurredAt();
                order.storeId = line.storeId();
            }
            order.paid += line.paidAmount();
            order.margin += line.paidAmount() * marginRates.rateOf(line);
        }
        return orders;
    }
}
