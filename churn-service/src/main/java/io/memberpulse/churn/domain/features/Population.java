package io.memberpulse.churn.domain.features;

import io.memberpulse.churn.domain.btyd.BgNbd;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * What all members' histories up to a cut-off say about one member's: the BG/NBD fit, and per
 * product (SKU) and category how often its buyers came back within the horizon after buying it
 * (only purchases whose whole horizon lies before the cut-off count). Learnt from the facts before
 * the cut-off alone, never from labels; a model carries the population of its training instant.
 *
 * @param bgNbd null when there were too few members to fit it
 * @param returnRates product or category key -> {buyer-days that returned, buyer-days observed}
 * @param prior the overall return rate, to which rare products are shrunk
 * @param gaps how long members' gaps between purchase days last
 * @param demand who was buying which products just before the cut-off
 * @param productWeights the product-bag regression a training run learnt from labels (NONE at a training
 *     cut-off, where the run fills that feature itself); a model version's population carries its own
 */
public record Population(BgNbd bgNbd, Map<String, double[]> returnRates, double prior, GapSurvival gaps,
        ProductDemand demand, ProductWeights productWeights) {
    /** Weight of the prior, in buyer-days, when shrinking a product's return rate. */
    static final double PRIOR_WEIGHT = 10;
    static final String CATEGORY_PREFIX = "c:";
    static final String STORE_PREFIX = "s:";
    static final String STORE_MEMBERS_PREFIX = "m:";
    static final String FIRST_PURCHASE_PREFIX = "f:";

    public static final Population NONE = new Population(null, Map.of(), Double.NaN);

    public Population(BgNbd bgNbd, Map<String, double[]> returnRates, double prior) {
        this(bgNbd, returnRates, prior, GapSurvival.NONE, ProductDemand.NONE);
    }

    public Population(BgNbd bgNbd, Map<String, double[]> returnRates, double prior, GapSurvival gaps,
            ProductDemand demand) {
        this(bgNbd, returnRates, prior, gaps, demand, ProductWeights.NONE);
    }

    /** This population with the product-bag regression of a trained model, for scoring with it. */
    public Population withProductWeights(ProductWeights weights) {
        return new Population(bgNbd, returnRates, prior, gaps, demand, weights);
    }

    /** The product return rates among the given histories, for a horizon. */
    public static Population of(BgNbd bgNbd, Collection<MemberHistory> histories, int horizonDays) {
        Map<String, double[]> rates = new HashMap<>();
        double returned = 0;
        double observed = 0;
        for (MemberHistory history : histories) {
            String home = homeStore(history);
            if (home != null) {
                rates.computeIfAbsent(STORE_MEMBERS_PREFIX + home, k -> new double[2])[0]++;
            }
            long end = history.asOfDay();
            long[] days = history.purchaseDays();
            Map<Long, Set<String>> keysByDay = new HashMap<>();
            for (Order order : history.orders()) {
                Set<String> keys = keysByDay.computeIfAbsent(order.day(), d -> new HashSet<>());
                keys.addAll(order.skus());
                order.categories().forEach(c -> keys.add(CATEGORY_PREFIX + c));
                if (order.storeId() != null) {
                    keys.add(STORE_PREFIX + order.storeId());
                }
            }
            for (int i = 0; i < days.length; i++) {
                if (days[i] + horizonDays >= end) {
                    break;
                }
                boolean back = i + 1 < days.length && days[i + 1] <= days[i] + horizonDays;
                returned += back ? 1 : 0;
                observed++;
                for (String key : keysByDay.getOrDefault(days[i], Set.of())) {
                    count(rates, key, back);
                    if (i == 0 && !key.contains(":")) {
                        count(rates, FIRST_PURCHASE_PREFIX + key, back);
                    }
                }
            }
        }
        rates.put(STORE_MEMBERS_PREFIX, new double[] {histories.size(), 0});
        return new Population(bgNbd, rates, observed > 0 ? returned / observed : Double.NaN, GapSurvival.of(histories),
                ProductDemand.of(histories));
    }

    private static void count(Map<String, double[]> rates, String key, boolean back) {
        double[] counts = rates.computeIfAbsent(key, k -> new double[2]);
        counts[0] += back ? 1 : 0;
        counts[1]++;
    }

    /** The store of most of the member's orders (ties: the latest of them). */
    static String homeStore(MemberHistory history) {
        Map<String, Integer> counts = new HashMap<>();
        String home = null;
        int best = 0;
        for (Order order : history.orders()) {
            if (order.storeId() != null) {
                int count = counts.merge(order.storeId(), 1, Integer::sum);
                if (count >= best) {
                    best = count;
                    home = order.storeId();
                }
            }
        }
        return home;
    }

    /** Share of all members whose home store is this one; NaN when unknown. */
    public double storeMemberShare(String storeId) {
        double[] total = returnRates.get(STORE_MEMBERS_PREFIX);
        double[] members = storeId == null ? null : returnRates.get(STORE_MEMBERS_PREFIX + storeId);
        return total == null || total[0] == 0 ? Double.NaN : (members == null ? 0 : members[0]) / total[0];
    }

    public static String storeKey(String storeId) {
        return STORE_PREFIX + storeId;
    }

    /** The shrunk return rate of buyers of a product or category (key as in {@link #categoryKey}); NaN if unknown. */
    public double returnRate(String key) {
        if (Double.isNaN(prior)) {
            return Double.NaN;
        }
        double[] counts = returnRates.get(key);
        return counts == null ? prior : (counts[0] + PRIOR_WEIGHT * prior) / (counts[1] + PRIOR_WEIGHT);
    }

    /** Bytes to store with a model version (BG/NBD parameters, return-rate counts, prior). */
    public byte[] toBytes() {
        try (java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
                java.io.DataOutputStream out = new java.io.DataOutputStream(bytes)) {
            out.writeBoolean(bgNbd != null);
            if (bgNbd != null) {
                out.writeDouble(bgNbd.r());
                out.writeDouble(bgNbd.alpha());
                out.writeDouble(bgNbd.a());
                out.writeDouble(bgNbd.b());
            }
            out.writeDouble(prior);
            out.writeInt(returnRates.size());
            for (Map.Entry<String, double[]> entry : returnRates.entrySet()) {
                out.writeUTF(entry.getKey());
                out.writeDouble(entry.getValue()[0]);
                out.writeDouble(entry.getValue()[1]);
            }
            gaps.write(out);
            demand.write(out);
            productWeights.write(out);
            out.flush();
            return bytes.toByteArray();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    public static Population fromBytes(byte[] bytes) {
        try (java.io.DataInputStream in = new java.io.DataInputStream(new java.io.ByteArrayInputStream(bytes))) {
            BgNbd bgNbd = in.readBoolean() ? new BgNbd(in.readDouble(), in.readDouble(), in.readDouble(), in.readDouble())
                    : null;
            double prior = in.readDouble();
            int size = in.readInt();
            Map<String, double[]> rates = new HashMap<>(size * 2);
            for (int i = 0; i < size; i++) {
                rates.put(in.readUTF(), new double[] {in.readDouble(), in.readDouble()});
            }
            // versions stored before the gap curves existed end here
            GapSurvival gaps = in.available() > 0 ? GapSurvival.read(in) : GapSurvival.NONE;
            // ... and those stored before product demand existed, here
            ProductDemand demand = in.available() > 0 ? ProductDemand.read(in) : ProductDemand.NONE;
            // ... and those stored before product-bag weights existed, here
            ProductWeights weights = in.available() > 0 ? ProductWeights.read(in) : ProductWeights.NONE;
            return new Population(bgNbd, rates, prior, gaps, demand, weights);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("population bytes unreadable", e);
        }
    }

    /** The key of a product's return rate among members for whom it was in their first purchase. */
    public static String firstPurchaseKey(String sku) {
        return FIRST_PURCHASE_PREFIX + sku;
    }

    public static String categoryKey(String category) {
        return CATEGORY_PREFIX + category;
    }
}
