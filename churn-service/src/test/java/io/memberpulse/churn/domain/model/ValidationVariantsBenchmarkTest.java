package io.memberpulse.churn.domain.model;

import io.memberpulse.churn.domain.features.Feature;
import io.memberpulse.churn.domain.features.FeatureExtractor;
import io.memberpulse.churn.domain.features.Snapshot;
import io.memberpulse.churn.domain.features.SnapshotBuilder;
import io.memberpulse.churn.domain.features.StockOuts;
import io.memberpulse.churn.domain.metrics.ModelMetrics;
import io.memberpulse.churn.testdata.Backtest;
import io.memberpulse.churn.testdata.EventCsv;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * How model and feature choices were made for issue 8's quality bar, on validation windows only
 * (cut-offs 2011-06-12, 05-29 and 05-15, all before the test cut-off 2011-09-10 minus the horizon;
 * the test period is never read): LR, GBT, GBT from BG/NBD and their mean, with the features of
 * session 1 or all of them (decayed activity, last year's season, gap survival, contacts), stacked
 * cut-offs every 14 or 7 days over 24 weeks. Prints mean validation AUC and lift@20% per variant.
 * Run: ./mvnw verify -pl churn-service -am -Dsurefire.failIfNoSpecifiedTests=false
 *   -Dexcluded.test.groups=none -Dgroups=benchmark -Dtest=ValidationVariantsBenchmarkTest
 */
@Tag("benchmark")
class ValidationVariantsBenchmarkTest {
    static final int H = 90;

    @Test
    void variantsOnValidationWindows() throws Exception {
        EventCsv.Data data = EventCsv.read(EventCsv.dataset("online-retail.events.csv.gz"));
        SnapshotBuilder builder = new SnapshotBuilder(new FeatureExtractor(H, 60, ZoneOffset.UTC),
                s -> BgNbdFitter.fit(s).model(), H);
        StockOuts stockOuts = new StockOuts(data.stockOuts());
        Map<Instant, Snapshot> cache = new ConcurrentHashMap<>();
        java.util.function.Function<Instant, Snapshot> at = t -> cache.computeIfAbsent(t, c -> builder.at(data.histories(), stockOuts, c, true));
        Instant[] windows = {Backtest.day("2011-06-12"), Backtest.day("2011-05-29"), Backtest.day("2011-05-15")};
        int oldWidth = Feature.DECAYED_DAYS_30.ordinal();
        for (int step : new int[] {14, 7}) {
            for (boolean newFeatures : new boolean[] {false, true}) {
                StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "step %2d new %-5s", step, newFeatures));
                for (String kind : new String[] {"lr", "gbt", "gbt-bgnbd", "mean3"}) {
                    double sumAuc = 0;
                    double sumLift = 0;
                    for (Instant window : windows) {
                        List<Snapshot> train = new ArrayList<>();
                        Instant latest = window.minus(Duration.ofDays(H));
                        for (int i = 0; i < 168 / step; i++) {
                            Snapshot s = at.apply(latest.minus(Duration.ofDays((long) step * i)));
                            if (s.size() > 0) {
                                train.add(mask(s, newFeatures ? Feature.COUNT : oldWidth));
                            }
                        }
                        ChurnTraining.Stacked stacked = ChurnTraining.stack(train);
                        Snapshot v = mask(at.apply(window), newFeatures ? Feature.COUNT : oldWidth);
                        double[] p = predict(kind, stacked, v.features());
                        ModelMetrics m = ModelMetrics.of(p, v.churned());
                        sumAuc += m.auc();
                        sumLift += m.liftAt20();
                    }
                    line.append(String.format(Locale.ROOT, " | %s AUC %.4f lift %.3f", kind, sumAuc / windows.length,
                            sumLift / windows.length));
                }
                System.out.println(line);
            }
        }
    }

    static double[] predict(String kind, ChurnTraining.Stacked data, double[][] x) {
        return switch (kind) {
            case "lr" -> ChurnClassifier.train(ModelKind.LR, data.x(), data.y()).predict(x);
            case "gbt" -> ChurnClassifier.train(ModelKind.GBT, data.x(), data.y()).predict(x);
            case "gbt-bgnbd" -> ChurnClassifier.train(ModelKind.GBT_BGNBD, data.x(), data.y()).predict(x);
            default -> {
                double[] a = predict("lr", data, x);
                double[] b = predict("gbt", data, x);
                double[] c = predict("gbt-bgnbd", data, x);
                double[] out = new double[a.length];
                for (int i = 0; i < out.length; i++) {
                    out[i] = (a[i] + b[i] + c[i]) / 3;
                }
                yield out;
            }
        };
    }

    static Snapshot mask(Snapshot s, int width) {
        if (width == Feature.COUNT) {
            return s;
        }
        double[][] x = new double[s.size()][];
        for (int i = 0; i < x.length; i++) {
            x[i] = s.features()[i].clone();
            for (int j = width; j < Feature.COUNT; j++) {
                x[i][j] = Double.NaN;
            }
        }
        return new Snapshot(s.asOf(), s.population(), s.memberIds(), x, s.churned());
    }
}
