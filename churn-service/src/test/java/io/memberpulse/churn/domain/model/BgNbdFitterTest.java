package io.memberpulse.churn.domain.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.memberpulse.churn.domain.btyd.BgNbd;
import io.memberpulse.churn.domain.btyd.RepeatSummary;
import io.memberpulse.churn.domain.features.Activity;
import io.memberpulse.churn.testdata.EventCsv;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.assertj.core.data.Percentage;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The published BG/NBD fit on the CDNOW 1/10 sample (BTYD walkthrough, reproduced by lifetimes):
 * weeks as the time unit, calibration to 1997-09-30, repeat purchases counted per distinct day.
 */
class BgNbdFitterTest {
    static List<RepeatSummary> calibration;

    @BeforeAll
    static void readCdnow() throws Exception {
        EventCsv.Data data = EventCsv.read(EventCsv.dataset("cdnow-sample.events.csv"));
        long end = LocalDate.parse("1997-09-30").toEpochDay();
        calibration = new ArrayList<>();
        for (List<Activity> history : data.histories().values()) {
            long[] days = history.stream().filter(Activity::isPurchase)
                    .mapToLong(a -> a.at().atOffset(ZoneOffset.ofHours(-5)).toLocalDate().toEpochDay())
                    .filter(day -> day <= end).distinct().sorted().toArray();
            calibration.add(RepeatSummary.of(days, end, 7));
        }
    }

    @Test
    void reproducesThePublishedCdnowFit() {
        assertThat(calibration).hasSize(2357);
        BgNbdFitter.Fit fit = BgNbdFitter.fit(calibration);
        System.out.printf("CDNOW BG/NBD: r=%.4f alpha=%.4f a=%.4f b=%.4f LL=%.2f%n", fit.model().r(),
                fit.model().alpha(), fit.model().a(), fit.model().b(), fit.logLikelihood());
        assertThat(fit.model().r()).isCloseTo(0.2426, Percentage.withPercentage(0.1));
        assertThat(fit.model().alpha()).isCloseTo(4.4137, Percentage.withPercentage(0.1));
        assertThat(fit.model().a()).isCloseTo(0.7930, Percentage.withPercentage(0.1));
        assertThat(fit.model().b()).isCloseTo(2.4262, Percentage.withPercentage(0.1));
        assertThat(fit.logLikelihood()).isCloseTo(-9582.43, within(0.1));
    }

    @Test
    void thePublishedParametersGiveThePublishedLikelihood() {
        assertThat(new BgNbd(0.2426, 4.4137, 0.7930, 2.4262).logLikelihood(calibration)).isCloseTo(-9582.43, within(0.1));
    }
}
