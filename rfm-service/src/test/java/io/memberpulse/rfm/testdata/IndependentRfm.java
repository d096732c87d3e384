package io.memberpulse.rfm.testdata;

import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * R, F and M computed the plain way, straight from the data set's rows and apart from the service's
 * RfmCalculator, to check it against: orders are invoices; an invoice is a purchase unless refunds
 * on that same invoice cancel it; R = days from the last purchase; F = purchases placed within the
 * window; M = paid on invoices placed within the window net of their refunds, minus the refunds made within it of
 * invoices not known (the data set's cancellations, under "C…" invoices of their own).
 */
public final class IndependentRfm {
    private IndependentRfm() {
    }

    public record Figures(Double recencyDays, int frequency7d, int frequency30d, int frequency90d, double monetaryNet30d,
            double monetaryNet90d, double monetaryNetTotal, long ordersTotal) {
    }

    public static Figures of(List<OnlineRetail.Row> memberRows, Instant asOf) {
        Map<String, Double> paid = new HashMap<>();
        Map<String, Double> refunded = new HashMap<>();
        Map<String, Instant> placed = new HashMap<>();
        for (OnlineRetail.Row row : memberRows) {
            if (row.at().isAfter(asOf)) {
                continue;
            }
            if (row.refund()) {
                refunded.merge(row.orderId(), row.refunded(), Double::sum);
            } else {
                paid.merge(row.orderId(), row.paid(), Double::sum);
                placed.merge(row.orderId(), row.at(), (a, b) -> a.isBefore(b) ? a : b);
            }
        }
        double refunds30 = 0, refunds90 = 0, refundsTotal = 0;
        for (OnlineRetail.Row row : memberRows) {
            if (row.refund() && !row.at().isAfter(asOf) && !paid.containsKey(row.orderId())) {
                double age = (asOf.getEpochSecond() - row.at().getEpochSecond()) / 86_400.0;
                refundsTotal += row.refunded();
                refunds90 += age < 90 ? row.refunded() : 0;
                refunds30 += age < 30 ? row.refunded() : 0;
            }
        }
        Instant last = null;
        int f7 = 0, f30 = 0, f90 = 0;
        double m30 = 0, m90 = 0, mTotal = 0;
        Set<String> purchases = new HashSet<>();
        for (var order : paid.entrySet()) {
            double age = (asOf.getEpochSecond() - placed.get(order.getKey()).getEpochSecond()) / 86_400.0;
            double net = order.getValue() - refunded.getOrDefault(order.getKey(), 0.0);
            mTotal += net;
            m90 += age < 90 ? net : 0;
            m30 += age < 30 ? net : 0;
            if (net <= 0) {
                continue;
            }
            purchases.add(order.getKey());
            Instant at = placed.get(order.getKey());
            last = last == null || at.isAfter(last) ? at : last;
            f7 += age < 7 ? 1 : 0;
            f30 += age < 30 ? 1 : 0;
            f90 += age < 90 ? 1 : 0;
        }
        Double recency = last == null ? null : (asOf.getEpochSecond() - last.getEpochSecond()) / 86_400.0;
        return new Figures(recency, f7, f30, f90, m30 - refunds30, m90 - refunds90, mTotal - refundsTotal, purchases.size());
    }
}
