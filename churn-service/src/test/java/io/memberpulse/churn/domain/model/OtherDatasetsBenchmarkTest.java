package io.memberpulse.churn.domain.model;

import io.memberpulse.churn.testdata.Backtest;
import io.memberpulse.churn.testdata.EventCsv;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The churn models on the other shared data sets, as a guard that what helps on Online Retail is
 * general: CDNOW (members keyed by customer) and identity-dev (keyed by the true person, so stitching
 * errors stay out), H = 90 days, tested at the last 90 days of each file, trained and chosen before
 * them exactly as on Online Retail. Prints the model table of each.
 * Session 4 (load average 11-13), test AUC: CDNOW (cut-off 1998-04-02) chosen blend 0.8348, hazard 0.8346;
 * identity-dev (2025-10-03) blend 0.7429, hazard 0.7382, though validation preferred hazard there
 * (0.7014 vs 0.6999): one reason hazard kinds are reported and not chosen.
 * Session 5, with the product-bag regression (load average 10-12): CDNOW blend 0.8346 (no products there);
 * identity-dev blend 0.7427, gbt-bgnbd 0.7456, hazard 0.7380: the new feature neither helps nor hurts there.
 * Run: ./mvnw verify -pl churn-service -am -Dsurefire.failIfNoSpecifiedTests=false
 *   -Dexcluded.test.groups=none -Dgroups=benchmark -Dtest=OtherDatasetsBenchmarkTest
 */
@Tag("benchmark")
class OtherDatasetsBenchmarkTest {
    static final int H = 90;

    @Test
    void cdnow() throws Exception {
        report("CDNOW", EventCsv.read(EventCsv.dataset("cdnow-sample.events.csv")));
    }

    @Test
    void identityDev() throws Exception {
        report("identity-dev", EventCsv.read(EventCsv.dataset("identity-dev/events.csv.gz"),
                EventCsv.persons(EventCsv.dataset("identity-dev/truth.csv.gz"))));
    }

    private static void report(String name, EventCsv.Data data) {
        Instant test = data.last().truncatedTo(ChronoUnit.DAYS).minus(Duration.ofDays(H - 1));
        System.out.println(name + ":");
        System.out.print(Backtest.table(Backtest.run(data, test, H)));
    }
}
