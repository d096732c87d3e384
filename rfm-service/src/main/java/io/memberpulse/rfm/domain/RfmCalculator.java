package io.memberpulse.rfm.domain;

import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Computes RFM from a member's purchase lines as of an instant, in event time: nothing after
 * {@code asOf} counts, so replaying history gives what living through it gave.
 * M of a window is what was paid for the orders placed in it net of their refunds, whenever those came (so a past
 * window's M drops when a refund arrives later, as its margin does), less the refunds of orders not known, made in it.
 * An order is net when what was paid for it exceeds what was refunded on it; its margin is what is left after refunds
 * (a refund with a rate of its own, else its category's, takes back its amount at that rate; one without, refunded x
 * margin / paid), and its weight in the margin-weighted frequency is the margin rate of what is left relative to the
 * default rate (a line's own rate, else its category's, MarginRates). The answer does not depend on the order
 * of the lines, which storage does not keep.
 */
public final class RfmCalculator {
    private final MarginRates marginRates;

    public RfmCalculator(double defaultMarginRate) {
        this(MarginRates.uniform(defaultMarginRate));
    }

    public RfmCalculator(MarginRates marginRates) {
        this.marginRates = marginRates;
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
        Map<String, Orders.Order> orders = Orders.of(lines, asOf, marginRates);
        // A refund of a known order comes off that order (below), in the window of the order's date, as its margin
        // does: M of a window is what was bought in it net of what came back of it. A refund whose order is not known
        // (Online Retail gives a cancellation an invoice of its own) can only be dated by itself.
        double unknownRefunds30 = 0;
        double unknownRefunds90 = 0;
        double unknownRefundsTotal = 0;
        PurchaseLine[] refunds = lines.stream()
                .filter(line -> line.kind() == PurchaseLine.Kind.REFUND && !line.occurredAt().isAfter(asOf)
                        && !orders.containsKey(line.orderId()))
                .sorted(Orders.ORDERS_FIRST).toArray(PurchaseLine[]::new); // summed in one order, to the last bit
        for (PurchaseLine line : refunds) {
            double ageDays = ageDays(line.occurredAt(), asOf);
            unknownRefundsTotal += line.refundAmount();
            unknownRefunds90 += ageDays < 90 ? line.refundAmount() : 0;
            unknownRefunds30 += ageDays < 30 ? line.refundAmount() : 0;
        }

        Instant last = null;
        int f7 = 0, f14 = 0, f30 = 0, f90 = 0;
        double wf30 = 0, wf90 = 0, m30 = 0, m90 = 0, margin90 = 0, mTotal = 0;
        long ordersTotal = 0;
        Map<String, Integer> ordersPerStore90 = new HashMap<>();
        Map<String, Integer> ordersPerStore = new HashMap<>();
        for (Orders.Order order : orders.values()) {
            double net = order.paid - order.refunded;
            mTotal += net;
            double age = ageDays(order.placedAt, asOf);
            if (age < 90) {
                m90 += net;
                margin90 += order.marginAfterRefunds();
                m30 += age < 30 ? net : 0;
            }
            if (!order.isPurchase()) {
                continue;
            }
            ordersTotal++;
            if (last == null || order.placedAt.isAfter(last)) {
                last = order.placedAt;
            }
            // weighed by what the member kept: an order whose high-margin line went back weighs as what is left
            double weight = order.paid > 0 ? order.marginRateAfterRefunds() / marginRates.defaultRate() : 1;
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
                cents(m30 - unknownRefunds30), cents(m90 - unknownRefunds90), cents(margin90), ordersTotal,
                cents(mTotal - unknownRefundsTotal),
                homeStore, null);
    }

    /**
     * Money to the cent, as it was paid: sums of doubles drift by a few ulps (¥100 x4 + ¥624.10 - ¥324.10 gave
     * 699.9999999999999), and a threshold such as M30 >= 700 must hold at exactly 700. Every M leaves here rounded.
     */
    static double cents(double amount) {
        return Math.round(amount * 100) / 100.0;
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
