package io.memberpulse.identity.domain;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Sums the credits of many orders per campaign: orders (fractional under linear) and revenue credited. */
public final class CampaignAttribution {
    private final Map<String, double[]> byCampaign = new HashMap<>();
    private long orders;
    private double revenue;
    private long attributedOrders;

    /** A campaign's totals; {@code orders} is the sum of its credit weights. */
    public record CampaignTotal(String campaignId, double orders, double revenue) {
    }

    /** All orders counted, their revenue, how many had a counting touch, and each campaign's share. */
    public record Totals(long orders, double revenue, long attributedOrders, List<CampaignTotal> campaigns) {
    }

    public void add(Attribution.Order order, List<Attribution.Credit> credits) {
        orders++;
        revenue += order.amount();
        if (!credits.isEmpty()) {
            attributedOrders++;
        }
        for (Attribution.Credit credit : credits) {
            if (!credit.touch().campaignId().isBlank()) {
                double[] sums = byCampaign.computeIfAbsent(credit.touch().campaignId(), k -> new double[2]);
                sums[0] += credit.weight();
                sums[1] += credit.amount();
            }
        }
    }

    /** Campaigns by revenue credited, highest first. */
    public Totals totals() {
        List<CampaignTotal> campaigns = new ArrayList<>();
        byCampaign.forEach((id, sums) -> campaigns.add(new CampaignTotal(id, sums[0], sums[1])));
        campaigns.sort(Comparator.comparingDouble(CampaignTotal::revenue).reversed().thenComparing(CampaignTotal::campaignId));
        return new Totals(orders, revenue, attributedOrders, campaigns);
    }
}
