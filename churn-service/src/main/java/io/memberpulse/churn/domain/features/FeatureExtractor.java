package io.memberpulse.churn.domain.features;

import static io.memberpulse.churn.domain.features.Feature.*;

import io.memberpulse.churn.domain.btyd.BgNbd;
import io.memberpulse.churn.domain.btyd.RepeatSummary;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The feature vector of a member as of an instant T (see {@link Feature}), computed from the
 * member's {@link MemberHistory} at T, the stock-outs up to T and a BG/NBD model fitted on
 * histories up to T. Nothing after T is read.
 */
public final class FeatureExtractor {
    private static final double DAY = 86_400d;
    private static final double YEAR_DAYS = 365;
    /** Stock-outs count against a member for this long. */
    public static final int STOCKOUT_WINDOW_DAYS = 90;

    private final int horizonDays;
    private final double defaultGapDays;
    private final ZoneId zone;

    public FeatureExtractor(int horizonDays, double defaultGapDays, ZoneId zone) {
        if (horizonDays < 1 || defaultGapDays <= 0) {
            throw new IllegalArgumentException("horizon and default gap must be positive");
        }
        this.horizonDays = horizonDays;
        this.defaultGapDays = defaultGapDays;
        this.zone = zone;
    }

    public ZoneId zone() {
        return zone;
    }

    public MemberHistory history(Collection<Activity> activities, Instant asOf) {
        return MemberHistory.asOf(activities, asOf, zone);
    }

    /** BG/NBD's view of a history, in weeks; empty before the first purchase. */
    public Optional<RepeatSummary> repeatSummary(MemberHistory history) {
        if (!history.hasPurchased()) {
            return Optional.empty();
        }
        return Optional.of(RepeatSummary.of(history.purchaseDays(), history.asOfDay(), 7));
    }

    public int horizonDays() {
        return horizonDays;
    }

    /** Empty when the member has not purchased by T: there is nothing to lose yet. */
    public Optional<double[]> extract(MemberHistory history, Population population, StockOuts stockOuts) {
        if (!history.hasPurchased()) {
            return Optional.empty();
        }
        double[] f = new double[Feature.COUNT];
        Arrays.fill(f, Double.NaN);
        Instant t = history.asOf();
        List<Order> orders = history.orders();
        long[] days = history.purchaseDays();
        double recency = days(orders.get(orders.size() - 1).at(), t);
        double tenure = days(orders.get(0).at(), t);
        rfm(f, history, recency, tenure);
        windows(f, orders, t);
        rhythm(f, days, recency, tenure);
        baskets(f, orders);
        placesAndCoupons(f, history);
        exposure(f, history, stockOuts);
        returns(f, history, population);
        recentAndSeasonal(f, history, t, tenure);
        demand(f, history, population.demand(), tenure);
        f[TOUCHES_90.ordinal()] = Math.log1p(history.others().stream()
                .filter(a -> a.isTreatment() && days(a.at(), t) < 90).count());
        // Scores answer "if nobody intervenes"; training rows carry what really happened (SnapshotBuilder).
        f[TREATED_IN_HORIZON.ordinal()] = 0;
        f[GAP_SURVIVAL_CHURN.ordinal()] = population.gaps().churnProbability(days.length,
                history.asOfDay() - days[days.length - 1], horizonDays);
        f[PRODUCT_BAG_CHURN.ordinal()] = population.productWeights().logOdds(products(history));
        BgNbd bgNbd = population.bgNbd();
        if (bgNbd != null) {
            RepeatSummary summary = repeatSummary(history).orElseThrow();
            f[BGNBD_P_ALIVE.ordinal()] = bgNbd.probabilityAlive(summary);
            f[BGNBD_P_NO_PURCHASE.ordinal()] = bgNbd.probabilityNoPurchase(summary, horizonDays / 7d);
        }
        return Optional.of(f);
    }

    /** Every product (SKU) in the member's orders up to T. */
    public static Set<String> products(MemberHistory history) {
        Set<String> skus = new HashSet<>();
        history.orders().forEach(order -> skus.addAll(order.skus()));
        return Set.copyOf(skus);
    }

    private void rfm(double[] f, MemberHistory history, double recency, double tenure) {
        List<Order> orders = history.orders();
        double purchased = orders.stream().mapToDouble(Order::paid).sum();
        // spend and refund rate see every order paid for, also those refunded in full, as they see every refund
        double paid = purchased + history.cancelledOrders().stream().mapToDouble(Order::paid).sum();
        double refunded = 0;
        int refunds = 0;
        for (Activity other : history.others()) {
            if (other.kind() == Activity.Kind.REFUND) {
                refunded += Math.abs(other.amount());
                refunds++;
            }
        }
        f[RECENCY_DAYS.ordinal()] = recency;
        f[LOG_RECENCY.ordinal()] = Math.log1p(recency);
        f[TENURE_DAYS.ordinal()] = tenure;
        f[PURCHASE_DAYS.ordinal()] = Math.log1p(history.purchaseDays().length);
        f[ORDERS.ordinal()] = Math.log1p(orders.size());
        f[ORDERS_PER_30_DAYS.ordinal()] = orders.size() * 30 / Math.max(30, tenure);
        f[NET_SPEND.ordinal()] = Math.log1p(Math.max(0, paid - refunded));
        double average = purchased / orders.size();
        f[AVG_ORDER_VALUE.ordinal()] = Math.log1p(Math.max(0, average));
        f[LAST_ORDER_VALUE_RATIO.ordinal()] = average > 0 ? orders.get(orders.size() - 1).paid() / average : 1;
        f[REFUND_RATE.ordinal()] = paid > 0 ? Math.min(1, refunded / paid) : 0;
        f[REFUNDS.ordinal()] = Math.log1p(refunds);
    }

    private void windows(double[] f, List<Order> orders, Instant t) {
        Set<Long> days30 = new HashSet<>();
        Set<Long> days90 = new HashSet<>();
        Set<Long> daysPrev90 = new HashSet<>();
        double spend90 = 0;
        double spendPrev90 = 0;
        for (Order order : orders) {
            double age = days(order.at(), t);
            if (age < 30) {
                days30.add(order.day());
            }
            if (age < 90) {
                days90.add(order.day());
                spend90 += order.paid();
            } else if (age < 180) {
                daysPrev90.add(order.day());
                spendPrev90 += order.paid();
            }
        }
        f[DAYS_30.ordinal()] = Math.log1p(days30.size());
        f[DAYS_90.ordinal()] = Math.log1p(days90.size());
        f[DAYS_180.ordinal()] = Math.log1p(days90.size() + daysPrev90.size());
        f[SPEND_90.ordinal()] = Math.log1p(Math.max(0, spend90));
        f[SPEND_PREV_90.ordinal()] = Math.log1p(Math.max(0, spendPrev90));
        f[SPEND_TREND.ordinal()] = trend(Math.max(0, spend90), Math.max(0, spendPrev90));
        f[FREQUENCY_TREND.ordinal()] = trend(days90.size(), daysPrev90.size());
    }

    /**
     * Smoothly decayed activity, and the member's own seasonality: what they bought in the calendar
     * window of the coming horizon one year earlier (defined only when the history reaches back a year).
     */
    private void recentAndSeasonal(double[] f, MemberHistory history, Instant t, double tenure) {
        double decayed30 = 0;
        double decayed120 = 0;
        double spend30 = 0;
        double lastYear = 0;
        double season = 0;
        Set<Long> seasonDays = new HashSet<>();
        long seen = Long.MIN_VALUE;
        for (Order order : history.orders()) {
            double age = days(order.at(), t);
            if (order.day() != seen) {
                decayed30 += Math.exp(-age / 30);
                decayed120 += Math.exp(-age / 120);
                seen = order.day();
            }
            if (age < 30) {
                spend30 += order.paid();
            }
            if (age <= YEAR_DAYS) {
                lastYear += Math.max(0, order.paid());
                if (age > YEAR_DAYS - horizonDays) {
                    season += Math.max(0, order.paid());
                    seasonDays.add(order.day());
                }
            }
        }
        f[DECAYED_DAYS_30.ordinal()] = Math.log1p(decayed30);
        f[DECAYED_DAYS_120.ordinal()] = Math.log1p(decayed120);
        f[SPEND_30.ordinal()] = Math.log1p(Math.max(0, spend30));
        if (tenure >= YEAR_DAYS) {
            f[SAME_SEASON_LAST_YEAR_DAYS.ordinal()] = Math.log1p(seasonDays.size());
            f[SAME_SEASON_SPEND_SHARE.ordinal()] = lastYear > 0 ? season / lastYear : 0;
        }
    }

    private void rhythm(double[] f, long[] days, double recency, double tenure) {
        int periods = Math.max(1, (int) Math.ceil(tenure / 30));
        Set<Long> active = new HashSet<>();
        long last = days[days.length - 1];
        for (long day : days) {
            active.add((last - day + (long) recency) / 30);
        }
        f[ACTIVE_MONTHS_SHARE.ordinal()] = Math.min(1, active.size() / (double) periods);
        double gap = defaultGapDays;
        if (days.length >= 2) {
            double[] gaps = new double[days.length - 1];
            for (int i = 1; i < days.length; i++) {
                gaps[i - 1] = days[i] - days[i - 1];
            }
            double mean = Arrays.stream(gaps).average().orElseThrow();
            double std = Math.sqrt(Arrays.stream(gaps).map(g -> (g - mean) * (g - mean)).sum() / gaps.length);
            double max = Arrays.stream(gaps).max().orElseThrow();
            double[] sorted = gaps.clone();
            Arrays.sort(sorted);
            int mid = sorted.length / 2;
            gap = sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
            f[GAP_MEAN.ordinal()] = mean;
            f[GAP_MEDIAN.ordinal()] = gap;
            f[GAP_STD.ordinal()] = std;
            f[GAP_CV.ordinal()] = std / mean;
            f[GAP_LAST.ordinal()] = gaps[gaps.length - 1];
            f[GAP_MAX.ordinal()] = max;
            f[OVERDUE_RATIO.ordinal()] = recency / mean;
            f[OVERDUE_Z.ordinal()] = (recency - mean) / (std + 1);
            f[RECENCY_OVER_MAX_GAP.ordinal()] = recency / max;
        }
        double ratio = recency / gap;
        double alive = 1 / (1 + ratio * ratio);
        f[RHYTHM_CHURN.ordinal()] = (1 - alive) + alive * Math.exp(-horizonDays / gap);
    }

    private void returns(double[] f, MemberHistory history, Population population) {
        long[] days = history.purchaseDays();
        int observed = 0;
        int back = 0;
        for (int i = 0; i < days.length && days[i] + horizonDays < history.asOfDay(); i++) {
            observed++;
            back += i + 1 < days.length && days[i + 1] <= days[i] + horizonDays ? 1 : 0;
        }
        f[OWN_RETURN_RATE.ordinal()] = observed > 0 ? back / (double) observed : Double.NaN;
        Set<String> skus = new HashSet<>();
        Set<String> categories = new HashSet<>();
        Set<String> lastSkus = new HashSet<>();
        Set<String> recentSkus = new HashSet<>();
        Set<String> firstSkus = new HashSet<>();
        long lastDay = days[days.length - 1];
        for (Order order : history.orders()) {
            skus.addAll(order.skus());
            order.categories().forEach(c -> categories.add(Population.categoryKey(c)));
            if (order.day() == lastDay) {
                lastSkus.addAll(order.skus());
            }
            if (order.day() == days[0]) {
                order.skus().forEach(sku -> firstSkus.add(Population.firstPurchaseKey(sku)));
            }
            if (history.asOfDay() - order.day() < 90) {
                recentSkus.addAll(order.skus());
            }
        }
        f[PRODUCT_RETURN_RATE.ordinal()] = meanRate(skus, population);
        f[LAST_BASKET_RETURN_RATE.ordinal()] = meanRate(lastSkus, population);
        f[RECENT_PRODUCT_RETURN_RATE.ordinal()] = meanRate(recentSkus, population);
        f[FIRST_BASKET_RETURN_RATE.ordinal()] = meanRate(firstSkus, population);
        f[PRODUCT_RETURN_EVIDENCE.ordinal()] = evidence(skus, population);
        f[CATEGORY_RETURN_RATE.ordinal()] = meanRate(categories, population);
        String home = Population.homeStore(history);
        f[HOME_STORE_MEMBERS.ordinal()] = population.storeMemberShare(home);
        f[HOME_STORE_RETURN_RATE.ordinal()] = home == null ? Double.NaN : population.returnRate(Population.storeKey(home));
        int working = 0;
        for (Order order : history.orders()) {
            var local = order.at().atZone(zone);
            boolean weekday = local.getDayOfWeek().getValue() <= 5;
            working += weekday && local.getHour() >= 8 && local.getHour() < 18 ? 1 : 0;
        }
        f[WORKING_HOURS_SHARE.ordinal()] = working / (double) history.orders().size();
    }

    /** The member's products against what everyone was buying just before T, and where the records begin. */
    private void demand(double[] f, MemberHistory history, ProductDemand demand, double tenure) {
        Set<String> skus = new HashSet<>();
        double items = 0;
        int lines = 0;
        double paid = 0;
        double paid90 = 0;
        for (Order order : history.orders()) {
            skus.addAll(order.skus());
            items += order.quantity();
            lines += order.lines();
            paid += Math.max(0, order.paid());
            paid90 += days(order.at(), history.asOf()) < 90 ? Math.max(0, order.paid()) : 0;
        }
        if (!skus.isEmpty() && !demand.buyers().isEmpty()) {
            f[PRODUCT_MOMENTUM.ordinal()] = skus.stream().mapToDouble(demand::momentum).average().orElseThrow();
            f[PRODUCT_RECENT_BUYERS.ordinal()] = skus.stream().mapToDouble(s -> Math.log1p(demand.recentBuyers(s)))
                    .average().orElseThrow();
        }
        double records = demand.daysOfRecords(history.asOfDay());
        f[RECORDS_TENURE_SHARE.ordinal()] = records > 0 ? Math.min(1, tenure / records) : Double.NaN;
        f[QUANTITY_PER_LINE.ordinal()] = lines > 0 ? Math.log1p(items / lines) : Double.NaN;
        f[RECENT_SPEND_SHARE.ordinal()] = paid > 0 ? paid90 / paid : Double.NaN;
    }

    private static double evidence(Set<String> keys, Population population) {
        double prior = population.prior();
        if (keys.isEmpty() || !(prior > 0 && prior < 1)) {
            return Double.NaN;
        }
        double sum = 0;
        for (String key : keys) {
            sum += logit(population.returnRate(key)) - logit(prior);
        }
        return sum;
    }

    private static double logit(double p) {
        double q = Math.max(1e-3, Math.min(1 - 1e-3, p));
        return Math.log(q / (1 - q));
    }

    private static double meanRate(Set<String> keys, Population population) {
        if (keys.isEmpty()) {
            return Double.NaN;
        }
        double sum = 0;
        for (String key : keys) {
            sum += population.returnRate(key);
        }
        return sum / keys.size();
    }

    private void baskets(double[] f, List<Order> orders) {
        Set<String> seen = new HashSet<>();
        Map<String, Double> spendByTop = new HashMap<>();
        Map<String, Integer> linesByTop = new HashMap<>();
        int lines = 0;
        int repeatLines = 0;
        int skuLines = 0;
        double items = 0;
        double paid = 0;
        for (Order order : orders) {
            lines += order.lines();
            items += order.quantity();
            paid += order.paid();
            for (String sku : order.skus()) {
                skuLines++;
                if (!seen.add(sku)) {
                    repeatLines++;
                }
            }
            for (String category : order.categories()) {
                String top = topOf(category);
                spendByTop.merge(top, order.paid() / order.categories().size(), Double::sum);
                linesByTop.merge(top, 1, Integer::sum);
            }
        }
        f[DISTINCT_SKUS.ordinal()] = Math.log1p(seen.size());
        f[SKUS_PER_ORDER.ordinal()] = skuLines / (double) orders.size();
        f[REPEAT_SKU_SHARE.ordinal()] = skuLines == 0 ? Double.NaN : repeatLines / (double) skuLines;
        f[CATEGORIES.ordinal()] = spendByTop.size();
        f[CATEGORY_ENTROPY.ordinal()] = entropy(spendByTop.values());
        int topLines = linesByTop.values().stream().mapToInt(Integer::intValue).max().orElse(0);
        int categorised = linesByTop.values().stream().mapToInt(Integer::intValue).sum();
        f[TOP_CATEGORY_SHARE.ordinal()] = categorised == 0 ? Double.NaN : topLines / (double) categorised;
        f[ITEMS_PER_ORDER.ordinal()] = Math.log1p(items / orders.size());
        f[AVG_UNIT_PRICE.ordinal()] = items > 0 ? Math.log1p(Math.max(0, paid / items)) : Double.NaN;
        f[LINES_PER_ORDER.ordinal()] = Math.log1p(lines / (double) orders.size());
    }

    private void placesAndCoupons(double[] f, MemberHistory history) {
        List<Order> orders = history.orders();
        Map<String, Integer> channels = new HashMap<>();
        Map<String, Integer> stores = new HashMap<>();
        int discounted = 0;
        double discount = 0;
        double gross = 0;
        for (Order order : orders) {
            channels.merge(String.valueOf(order.channel()), 1, Integer::sum);
            stores.merge(String.valueOf(order.storeId()), 1, Integer::sum);
            discounted += order.discount() > 0 ? 1 : 0;
            discount += order.discount();
            gross += order.gross();
        }
        f[CHANNELS.ordinal()] = channels.size();
        f[TOP_CHANNEL_SHARE.ordinal()] = maxOf(channels) / (double) orders.size();
        f[STORES.ordinal()] = stores.size();
        f[HOME_STORE_SHARE.ordinal()] = maxOf(stores) / (double) orders.size();
        f[DISCOUNT_SHARE.ordinal()] = gross > 0 ? discount / gross : 0;

        int issued = 0;
        int redeemed = 0;
        int reviews = 0;
        double rating = 0;
        double sentiment = 0;
        int texts = 0;
        int visits90 = 0;
        Set<String> redeemedOrders = new HashSet<>();
        for (Activity other : history.others()) {
            switch (other.kind()) {
                case COUPON_ISSUED -> issued++;
                case COUPON_REDEEMED -> {
                    redeemed++;
                    if (other.orderKey() != null) {
                        redeemedOrders.add(other.orderKey());
                    }
                }
                case REVIEW -> {
                    reviews++;
                    rating += other.rating();
                    if (other.text() != null && !other.text().isBlank()) {
                        sentiment += ReviewSentiment.score(other.text());
                        texts++;
                    }
                }
                case VISIT -> visits90 += days(other.at(), history.asOf()) < 90 ? 1 : 0;
                default -> {
                }
            }
        }
        for (Order order : orders) {
            if (order.discount() <= 0 && redeemedOrders.contains(order.orderId())) {
                discounted++;
            }
        }
        f[DISCOUNTED_ORDER_SHARE.ordinal()] = discounted / (double) orders.size();
        f[COUPONS_REDEEMED.ordinal()] = Math.log1p(redeemed);
        f[COUPON_REDEMPTION_RATE.ordinal()] = issued > 0 ? Math.min(1, redeemed / (double) issued) : Double.NaN;
        f[REVIEWS.ordinal()] = Math.log1p(reviews);
        long rated = history.others().stream().filter(a -> a.kind() == Activity.Kind.REVIEW && a.rating() > 0).count();
        f[AVG_RATING.ordinal()] = rated > 0 ? rating / rated : Double.NaN;
        f[REVIEW_SENTIMENT.ordinal()] = texts > 0 ? sentiment / texts : Double.NaN;
        f[VISITS_90.ordinal()] = Math.log1p(visits90);
    }

    private void exposure(double[] f, MemberHistory history, StockOuts stockOuts) {
        if (stockOuts.isEmpty()) {
            f[STOCKOUT_EXPOSURE_90.ordinal()] = 0;
            return;
        }
        Set<String> stores = new HashSet<>();
        Set<String> categories = new HashSet<>();
        Set<String> skus = new HashSet<>();
        for (Order order : history.orders()) {
            if (order.storeId() != null) {
                stores.add(order.storeId());
            }
            categories.addAll(order.categories());
            skus.addAll(order.skus());
        }
        Instant t = history.asOf();
        f[STOCKOUT_EXPOSURE_90.ordinal()] = Math.log1p(
                stockOuts.exposure(stores, categories, skus, t.minus(Duration.ofDays(STOCKOUT_WINDOW_DAYS)), t));
    }

    private static double trend(double recent, double before) {
        return recent + before == 0 ? 0 : (recent - before) / (recent + before);
    }

    private static String topOf(String category) {
        int slash = category.indexOf('/');
        return slash < 0 ? category : category.substring(0, slash);
    }

    private static double entropy(Collection<Double> weights) {
        double total = weights.stream().mapToDouble(w -> Math.max(0, w)).sum();
        if (total <= 0) {
            return weights.isEmpty() ? Double.NaN : 0;
        }
        double h = 0;
        for (double w : weights) {
            if (w > 0) {
                h -= w / total * Math.log(w / total);
            }
        }
        return h;
    }

    private static int maxOf(Map<String, Integer> counts) {
        return counts.values().stream().mapToInt(Integer::intValue).max().orElse(0);
    }

    private static double days(Instant from, Instant to) {
        return Duration.between(from, to).getSeconds() / DAY;
    }
}
