package io.memberpulse.churn.domain.features;

import static io.memberpulse.churn.testdata.HistoryBuilder.T;
import static io.memberpulse.churn.testdata.HistoryBuilder.daysBefore;
import static io.memberpulse.churn.testdata.HistoryBuilder.member;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.memberpulse.churn.domain.btyd.BgNbd;
import io.memberpulse.churn.domain.model.BgNbdFitter;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FeatureExtractorTest {
    final FeatureExtractor extractor = new FeatureExtractor(90, 60, ZoneOffset.UTC);
    final Population population = new Population(new BgNbd(0.5, 10, 0.5, 2), Map.of(), Double.NaN);

    double[] features(List<Activity> history) {
        return extractor.extract(extractor.history(history, T), population, StockOuts.NONE).orElseThrow();
    }

    static double f(double[] features, Feature feature) {
        return features[feature.ordinal()];
    }

    @Test
    void rfmAndRhythmOfARegularBuyer() {
        double[] x = features(member().order(70, 20).order(50, 40).order(30, 20).order(10, 40).refund(5, 12).build());
        assertThat(f(x, Feature.RECENCY_DAYS)).isCloseTo(10, within(1e-9));
        assertThat(f(x, Feature.TENURE_DAYS)).isCloseTo(70, within(1e-9));
        assertThat(f(x, Feature.PURCHASE_DAYS)).isCloseTo(Math.log1p(4), within(1e-9));
        assertThat(f(x, Feature.NET_SPEND)).isCloseTo(Math.log1p(108), within(1e-9));
        assertThat(f(x, Feature.GAP_MEAN)).isCloseTo(20, within(1e-9));
        assertThat(f(x, Feature.GAP_STD)).isCloseTo(0, within(1e-9));
        assertThat(f(x, Feature.OVERDUE_RATIO)).isCloseTo(0.5, within(1e-9));
        assertThat(f(x, Feature.REFUND_RATE)).isCloseTo(0.1, within(1e-9));
        assertThat(f(x, Feature.DAYS_30)).isCloseTo(Math.log1p(1), within(1e-9));
        assertThat(f(x, Feature.DAYS_90)).isCloseTo(Math.log1p(4), within(1e-9));
        // Only the first purchase's 90 days ... all end after T: no return rate is known yet.
        assertThat(f(x, Feature.OWN_RETURN_RATE)).isNaN();
        assertThat(f(x, Feature.BGNBD_P_ALIVE)).isBetween(0.0, 1.0);
    }

    @Test
    void aOneTimeBuyerHasNoGapsButARhythmFromTheDefault() {
        double[] x = features(member().order(60, 30).build());
        assertThat(f(x, Feature.GAP_MEAN)).isNaN();
        assertThat(f(x, Feature.OVERDUE_RATIO)).isNaN();
        // r = 60 / 60 = 1: alive = 1/2; churn = 1/2 + 1/2 e^(-90/60), as RhythmChurnModel.
        assertThat(f(x, Feature.RHYTHM_CHURN)).isCloseTo(0.5 + 0.5 * Math.exp(-1.5), within(1e-9));
        assertThat(f(x, Feature.BGNBD_P_ALIVE)).isEqualTo(1.0);
    }

    @Test
    void basketsCouponsReviewsAndStockOuts() {
        List<Activity> history = new ArrayList<>(member()
                .order(100, "milk", "dairy/milk", 2, 10, 2, "s1").line("bread", "bakery/bread", 1, 5)
                .order(40, "milk", "dairy/milk", 1, 5, 0, "s2")
                .coupon(Activity.Kind.COUPON_ISSUED, 120).coupon(Activity.Kind.COUPON_ISSUED, 50)
                .coupon(Activity.Kind.COUPON_REDEEMED, 100)
                .review(39, 2, "milk was not fresh, very disappointed").review(99, 5, "很好，新鲜")
                .build());
        StockOuts stockOuts = new StockOuts(List.of(new StockOut(daysBefore(20), "s2", null, "dairy"),
                new StockOut(daysBefore(10), "s2", null, "frozen"), new StockOut(daysBefore(5), "s9", null, "dairy"),
                new StockOut(daysBefore(200), "s1", "milk", null)));
        double[] x = extractor.extract(extractor.history(history, T), population, stockOuts).orElseThrow();
        assertThat(f(x, Feature.DISTINCT_SKUS)).isCloseTo(Math.log1p(2), within(1e-9));
        assertThat(f(x, Feature.REPEAT_SKU_SHARE)).isCloseTo(1 / 3.0, within(1e-9));
        assertThat(f(x, Feature.CATEGORIES)).isEqualTo(2);
        assertThat(f(x, Feature.STORES)).isEqualTo(2);
        assertThat(f(x, Feature.DISCOUNTED_ORDER_SHARE)).isCloseTo(0.5, within(1e-9));
        assertThat(f(x, Feature.DISCOUNT_SHARE)).isCloseTo(2 / 22.0, within(1e-9));
        assertThat(f(x, Feature.COUPON_REDEMPTION_RATE)).isCloseTo(0.5, within(1e-9));
        assertThat(f(x, Feature.AVG_RATING)).isCloseTo(3.5, within(1e-9));
        assertThat(f(x, Feature.REVIEW_SENTIMENT)).isCloseTo(0, within(1e-9)); // one negative, one positive review
        assertThat(f(x, Feature.STOCKOUT_EXPOSURE_90)).isCloseTo(Math.log1p(1), within(1e-9));
    }

    @Test
    void twoChannelsOrdersUnderTheSameOrderIdAreTwoOrders() {
        // a till's order 1001 and the mini-program's 1001 (each system numbers its own), and a coupon the till redeemed
        List<Activity> history = List.of(
                Activity.orderLine(daysBefore(30), "1001", "pos", "s1", "milk", "dairy/milk", 1, 10, 0),
                Activity.orderLine(daysBefore(10), "1001", "miniapp", "s1", "bread", "bakery/bread", 1, 5, 0),
                Activity.coupon(Activity.Kind.COUPON_REDEEMED, daysBefore(30), "1001", "pos", "s1", 2));
        double[] x = features(history);
        assertThat(f(x, Feature.ORDERS)).isCloseTo(Math.log1p(2), within(1e-9));
        assertThat(f(x, Feature.RECENCY_DAYS)).isCloseTo(10, within(1e-9));
        assertThat(f(x, Feature.DISCOUNTED_ORDER_SHARE)).isCloseTo(0.5, within(1e-9)); // the till's order alone
    }

    @Test
    void reviewSentimentReadsEnglishAndChinese() {
        assertThat(ReviewSentiment.score("Great service, fresh bread")).isEqualTo(1);
        assertThat(ReviewSentiment.score("not good, too slow")).isEqualTo(-1);
        assertThat(ReviewSentiment.score("态度差，太慢了")).isEqualTo(-1);
        assertThat(ReviewSentiment.score("不新鲜")).isEqualTo(-1);
        assertThat(ReviewSentiment.score("很满意")).isEqualTo(1);
        assertThat(ReviewSentiment.score("ok")).isEqualTo(0);
    }

    @Test
    void nothingAfterTheCutOffLeaksIntoAnyFeature() {
        Map<String, List<Activity>> past = new HashMap<>();
        Map<String, List<Activity>> pastAndFuture = new HashMap<>();
        java.util.Random random = new java.util.Random(42);
        for (int m = 0; m < 80; m++) {
            var builder = member();
            int orders = 1 + random.nextInt(8);
            for (int o = 0; o < orders; o++) {
                builder.order(1 + random.nextInt(300), "sku" + random.nextInt(20), "cat" + random.nextInt(4) + "/x",
                        1 + random.nextInt(3), 5 + random.nextInt(50), random.nextInt(3), "s" + random.nextInt(3));
            }
            builder.refund(random.nextInt(200) + 1, 3).review(random.nextInt(100) + 1, 1 + random.nextInt(5), "good");
            List<Activity> before = builder.build();
            List<Activity> after = member().order(-1, 99).order(-30, "sku1", "cat1/x", 5, 500, 0, "s9")
                    .refund(-2, 40).review(-3, 1, "terrible").coupon(Activity.Kind.COUPON_REDEEMED, -4)
                    .intervention(-5, true).build();
            past.put("m" + m, before);
            List<Activity> all = new ArrayList<>(before);
            all.addAll(after);
            // a purchase before T refunded in full after it: still a purchase as of T
            all.add(Activity.refund(T.plus(Duration.ofDays(1)), "o0", "pos", "s1", 10_000));
            java.util.Collections.shuffle(all, random);
            pastAndFuture.put("m" + m, all);
        }
        List<StockOut> stockOuts = new ArrayList<>(List.of(new StockOut(daysBefore(10), "s1", null, "cat1")));
        SnapshotBuilder builder = new SnapshotBuilder(extractor, s -> BgNbdFitter.fit(s).model(), 90);
        Snapshot withoutFuture = builder.at(past, new StockOuts(stockOuts), T, false);
        stockOuts.add(new StockOut(T.plus(Duration.ofDays(3)), "s1", null, "cat1"));
        Snapshot withFuture = builder.at(pastAndFuture, new StockOuts(stockOuts), T, false);

        assertThat(withFuture.memberIds()).isEqualTo(withoutFuture.memberIds());
        assertThat(withFuture.population().demand().firstDay()).isEqualTo(withoutFuture.population().demand().firstDay());
        // the features read from what everyone bought are defined here, so the comparison below covers them
        for (Feature populationFeature : List.of(Feature.PRODUCT_MOMENTUM, Feature.PRODUCT_RECENT_BUYERS,
                Feature.RECORDS_TENURE_SHARE, Feature.PRODUCT_RETURN_EVIDENCE, Feature.FIRST_BASKET_RETURN_RATE)) {
            assertThat(java.util.Arrays.stream(column(withoutFuture, populationFeature)).allMatch(Double::isFinite))
                    .as(populationFeature.key()).isTrue();
        }
        assertThat(withFuture.population().bgNbd()).isEqualTo(withoutFuture.population().bgNbd());
        for (int i = 0; i < withFuture.size(); i++) {
            assertThat(withFuture.features()[i]).as(withFuture.memberIds().get(i))
                    .containsExactly(withoutFuture.features()[i]);
        }
        // the product bags a training run's regression reads, and that feature under a trained model's weights
        assertThat(withFuture.products()).isEqualTo(withoutFuture.products());
        Map<String, double[]> weights = new HashMap<>();
        for (int s = 0; s < 20; s++) {
            weights.put("sku" + s, new double[] {1 + s / 10.0, s % 3 - 1});
        }
        Population scoring = withoutFuture.population().withProductWeights(new ProductWeights(weights, 0.2, 4));
        for (String member : past.keySet()) {
            double[] without = extractor.extract(extractor.history(past.get(member), T), scoring, new StockOuts(stockOuts))
                    .orElseThrow();
            double[] with = extractor.extract(extractor.history(pastAndFuture.get(member), T), scoring,
                    new StockOuts(stockOuts)).orElseThrow();
            assertThat(without[Feature.PRODUCT_BAG_CHURN.ordinal()]).as(member).isFinite();
            assertThat(with).as(member).containsExactly(without);
        }
    }

    @Test
    void theLabelIsNoPurchaseWithinTheHorizonAfterTheCutOff() {
        SnapshotBuilder builder = new SnapshotBuilder(extractor, s -> null, 90);
        Map<String, List<Activity>> histories = Map.of(
                "back-in-time", member().order(30, 10).order(-89, 10).build(),
                "too-late", member().order(30, 10).order(-91, 10).build(),
                "refund-only", member().order(30, 10).refund(-10, 10).build(),
                "new-after-t", member().order(-10, 10).build());
        Snapshot snapshot = builder.at(histories, StockOuts.NONE, T, true);
        assertThat(snapshot.memberIds()).containsExactly("back-in-time", "refund-only", "too-late");
        assertThat(snapshot.churned()).containsExactly(0, 1, 1);
        assertThat(snapshot.population().bgNbd()).isNull(); // too few members to fit
    }

    @Test
    void returnTimesReadTheFactsUpToTheirEndOnlyAndLabelsNeedTheWholeHorizon() {
        SnapshotBuilder builder = new SnapshotBuilder(extractor, s -> null, 90);
        Map<String, List<Activity>> histories = Map.of(
                "back-day-20", member().order(30, 10).order(-20, 10).order(-50, 10).build(),
                "back-day-70", member().order(30, 10).order(-70, 10).build(),
                "refund-only", member().order(30, 10).refund(-10, 10).build());
        Snapshot partial = builder.at(histories, StockOuts.NONE, T, T.plus(Duration.ofDays(60)));
        assertThat(partial.memberIds()).containsExactly("back-day-20", "back-day-70", "refund-only");
        assertThat(partial.daysToReturn()).containsExactly(20, Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY);
        assertThat(partial.churned()).as("the horizon is not over at the end of the facts").isNull();

        Snapshot full = builder.at(histories, StockOuts.NONE, T, T.plus(Duration.ofDays(90)));
        assertThat(full.daysToReturn()).containsExactly(20, 70, Double.POSITIVE_INFINITY);
        assertThat(full.churned()).containsExactly(0, 0, 1);
        assertThat(builder.at(histories, StockOuts.NONE, T, true).daysToReturn()).containsExactly(full.daysToReturn());
        assertThat(builder.at(histories, StockOuts.NONE, T, false).daysToReturn()).isNull();
        for (int i = 0; i < full.size(); i++) {
            assertThat(partial.features()[i]).as("features do not depend on the end of the facts")
                    .containsExactly(full.features()[i]);
        }
    }

    @Test
    void treatedExamplesAreFlaggedOnTrainingRowsButScoresAskAboutBeingLeftAlone() {
        SnapshotBuilder builder = new SnapshotBuilder(extractor, s -> null, 90);
        Map<String, List<Activity>> histories = Map.of(
                "called-after-t", member().order(30, 10).intervention(-20, true).order(-40, 10).build(),
                // intent to treat: whether the member answered follows their engagement, which the label measures too
                "not-reached", member().order(30, 10).intervention(-20, false).build(),
                "called-before-t", member().order(30, 10).intervention(20, true).build(),
                // the member came back before the call: the call cannot have caused the return
                "called-after-return", member().order(30, 10).order(-10, 10).intervention(-20, true).build());
        Snapshot training = builder.at(histories, StockOuts.NONE, T, true);
        assertThat(training.memberIds()).containsExactly("called-after-return", "called-after-t", "called-before-t",
                "not-reached");
        assertThat(column(training, Feature.TREATED_IN_HORIZON)).containsExactly(0, 1, 0, 1);
        assertThat(column(training, Feature.TOUCHES_90)).containsExactly(0, 0, Math.log1p(1), 0);
        assertThat(training.churned()).containsExactly(0, 0, 1, 1);

        Snapshot scoring = builder.at(histories, StockOuts.NONE, T, false);
        assertThat(column(scoring, Feature.TREATED_IN_HORIZON)).containsOnly(0.0);
    }

    @Test
    void anOrderRefundedInFullBeforeTheCutOffIsNoPurchaseAsOfIt() {
        // bought for real 30 days before T; 3 days before T bought 500 and returned all of it a day before T
        double[] x = features(member().order(30, 40).order(3, 500).refundLastOrder(1, 500).build());
        assertThat(f(x, Feature.RECENCY_DAYS)).isCloseTo(30, within(1e-9));
        assertThat(f(x, Feature.ORDERS)).isCloseTo(Math.log1p(1), within(1e-9));
        assertThat(f(x, Feature.PURCHASE_DAYS)).isCloseTo(Math.log1p(1), within(1e-9));
        assertThat(f(x, Feature.DAYS_30)).isCloseTo(Math.log1p(0), within(1e-9));
        // the money features still see what was paid and given back
        assertThat(f(x, Feature.NET_SPEND)).isCloseTo(Math.log1p(40), within(1e-9));
        assertThat(f(x, Feature.REFUND_RATE)).isCloseTo(500 / 540.0, within(1e-9));
        assertThat(f(x, Feature.REFUNDS)).isCloseTo(Math.log1p(1), within(1e-9));
        assertThat(f(x, Feature.AVG_ORDER_VALUE)).isCloseTo(Math.log1p(40), within(1e-9));

        // refunded in part: still a purchase
        double[] part = features(member().order(30, 40).order(3, 500).refundLastOrder(1, 200).build());
        assertThat(f(part, Feature.RECENCY_DAYS)).isCloseTo(3, within(1e-9));
        // a free order, nothing paid and nothing refunded, is still a purchase occasion (as before)
        double[] free = features(member().order(30, 40).order(3, 0).build());
        assertThat(f(free, Feature.RECENCY_DAYS)).isCloseTo(3, within(1e-9));
        // a till return written as a negative order line is no purchase
        double[] tillReturn = features(member().order(30, 40).tillReturn(3, 25).build());
        assertThat(f(tillReturn, Feature.RECENCY_DAYS)).isCloseTo(30, within(1e-9));
        // a member whose only order was refunded in full has nothing to lose yet
        assertThat(extractor.extract(extractor.history(member().order(10, 50).refundLastOrder(5, 50).build(), T),
                population, StockOuts.NONE)).isEmpty();
    }

    @Test
    void aRefundAfterTheCutOffDoesNotChangeTheFeaturesAsOfIt() {
        double[] x = features(member().order(30, 40).order(3, 500).refundLastOrder(-1, 500).build());
        assertThat(f(x, Feature.RECENCY_DAYS)).isCloseTo(3, within(1e-9));
        assertThat(x).containsExactly(features(member().order(30, 40).order(3, 500).build()));
    }

    @Test
    void theLabelCountsOnlyPurchasesNotRefundedInFullByTheEndOfTheHorizon() {
        List<Activity> refundedInHorizon = member().order(30, 40).order(-10, 500).refundLastOrder(-12, 500).build();
        assertThat(SnapshotBuilder.churned(refundedInHorizon, T, T.plus(Duration.ofDays(90)))).isTrue();
        assertThat(SnapshotBuilder.daysToReturn(refundedInHorizon, T, T.plus(Duration.ofDays(90))))
                .isEqualTo(Double.POSITIVE_INFINITY);
        // the refund known only after the horizon: the member did come back within it
        List<Activity> refundedLater = member().order(30, 40).order(-10, 500).refundLastOrder(-95, 500).build();
        assertThat(SnapshotBuilder.churned(refundedLater, T, T.plus(Duration.ofDays(90)))).isFalse();
        assertThat(SnapshotBuilder.daysToReturn(refundedLater, T, T.plus(Duration.ofDays(90)))).isCloseTo(10, within(1e-9));
        // a till return is no return of the member
        assertThat(SnapshotBuilder.churned(member().order(30, 40).tillReturn(-10, 25).build(), T,
                T.plus(Duration.ofDays(90)))).isTrue();
        // a call after an order later refunded in full came before the member's first (net) purchase: treated
        assertThat(SnapshotBuilder.treated(
                member().order(30, 40).order(-10, 500).refundLastOrder(-12, 500).intervention(-20, true).build(), T,
                T.plus(Duration.ofDays(90)))).isTrue();

        SnapshotBuilder builder = new SnapshotBuilder(extractor, s -> null, 90);
        Snapshot training = builder.at(Map.of("refunded-in-horizon", refundedInHorizon, "refunded-later", refundedLater),
                StockOuts.NONE, T, true);
        assertThat(training.memberIds()).containsExactly("refunded-in-horizon", "refunded-later");
        assertThat(training.churned()).containsExactly(1, 0);
    }

    @Test
    void recentActivityDecaysAndLastYearsSeasonIsReadOnlyWhenTheHistoryReachesBackAYear() {
        double[] young = features(member().order(200, 10).order(0.5, 30).build());
        assertThat(f(young, Feature.DECAYED_DAYS_30)).isCloseTo(Math.log1p(Math.exp(-0.5 / 30) + Math.exp(-200 / 30d)),
                within(1e-9));
        assertThat(f(young, Feature.SPEND_30)).isCloseTo(Math.log1p(30), within(1e-9));
        assertThat(f(young, Feature.SAME_SEASON_LAST_YEAR_DAYS)).isNaN();

        // a year ago the member bought during the coming 90 days' calendar window (365 - 90 < 300 <= 365)
        double[] seasonal = features(member().order(400, 10).order(300, 60).order(10, 30).build());
        assertThat(f(seasonal, Feature.SAME_SEASON_LAST_YEAR_DAYS)).isCloseTo(Math.log1p(1), within(1e-9));
        assertThat(f(seasonal, Feature.SAME_SEASON_SPEND_SHARE)).isCloseTo(60 / 90d, within(1e-9));
        double[] offSeason = features(member().order(400, 10).order(200, 60).order(10, 30).build());
        assertThat(f(offSeason, Feature.SAME_SEASON_LAST_YEAR_DAYS)).isZero();
    }

    @Test
    void productDemandBasketsAndReturnEvidenceAgainstWhatEveryoneBought() {
        Map<String, double[]> rates = new HashMap<>();
        rates.put("good", new double[] {8, 10}); // buyers came back 8 times in 10
        rates.put("poor", new double[] {1, 10});
        rates.put(Population.firstPurchaseKey("poor"), new double[] {0, 10});
        ProductDemand demand = new ProductDemand(Map.of("good", new int[] {6, 3}, "poor", new int[] {0, 9}),
                T.atZone(ZoneOffset.UTC).toLocalDate().toEpochDay() - 200);
        Population withDemand = new Population(population.bgNbd(), rates, 0.5, GapSurvival.NONE, demand);
        List<Activity> history = member().order(100, "poor", "c/x", 12, 30, 0, "s1").line("good", "c/x", 4, 10)
                .order(20, "good", "c/x", 2, 60, 0, "s1").build();
        double[] x = extractor.extract(extractor.history(history, T), withDemand, StockOuts.NONE).orElseThrow();

        double good = (8 + 10 * 0.5) / 20;
        double poor = (1 + 10 * 0.5) / 20;
        double firstPoor = (0 + 10 * 0.5) / 20;
        assertThat(f(x, Feature.PRODUCT_MOMENTUM)).isCloseTo((Math.log(7 / 2d) + Math.log(1 / 4d)) / 2, within(1e-9));
        assertThat(f(x, Feature.PRODUCT_RECENT_BUYERS)).isCloseTo(Math.log1p(6) / 2, within(1e-9));
        assertThat(f(x, Feature.RECORDS_TENURE_SHARE)).isCloseTo(100 / 200d, within(1e-9));
        assertThat(f(x, Feature.QUANTITY_PER_LINE)).isCloseTo(Math.log1p(18 / 3d), within(1e-9));
        assertThat(f(x, Feature.RECENT_SPEND_SHARE)).isCloseTo(60 / 100d, within(1e-9));
        assertThat(f(x, Feature.RECENT_PRODUCT_RETURN_RATE)).isCloseTo(good, within(1e-9));
        assertThat(f(x, Feature.FIRST_BASKET_RETURN_RATE)).isCloseTo((firstPoor + 0.5) / 2, within(1e-9));
        assertThat(f(x, Feature.PRODUCT_RETURN_EVIDENCE)).isCloseTo(logit(good) + logit(poor), within(1e-9));

        // without a population's demand (a model stored before it existed) the demand features are undefined
        double[] none = features(history);
        assertThat(f(none, Feature.PRODUCT_MOMENTUM)).isNaN();
        assertThat(f(none, Feature.RECORDS_TENURE_SHARE)).isNaN();
        assertThat(f(none, Feature.PRODUCT_RETURN_EVIDENCE)).isNaN();
    }

    private static double logit(double p) {
        return Math.log(p / (1 - p));
    }

    private static double[] column(Snapshot snapshot, Feature feature) {
        return java.util.Arrays.stream(snapshot.features()).mapToDouble(row -> row[feature.ordinal()]).toArray();
    }
}
