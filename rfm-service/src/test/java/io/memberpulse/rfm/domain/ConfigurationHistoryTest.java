package io.memberpulse.rfm.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ConfigurationHistoryTest {
    static final Instant T1 = Instant.parse("2026-01-10T08:00:00Z");
    static final Instant T2 = Instant.parse("2026-03-01T08:00:00Z");
    static final Instant T3 = Instant.parse("2026-06-15T08:00:00Z");

    static final MarginRates RATES = MarginRates.uniform(0.30);

    static ConfiguredDefinitions configured(int highValueMinOrders, double atRiskDays) {
        return configured(highValueMinOrders, atRiskDays, RATES);
    }

    static ConfiguredDefinitions configured(int highValueMinOrders, double atRiskDays, MarginRates marginRates) {
        LifecycleRules lifecycle = new LifecycleRules(180, atRiskDays, 6, 600);
        return new ConfiguredDefinitions(new DefaultSegments.Active(6, highValueMinOrders, 700),
                new DefaultSegments.Active(12, 3, 400), new DefaultSegments.Fading(20, 1, 200, lifecycle.dormantDays()),
                lifecycle, marginRates);
    }

    static final ConfiguredDefinitions A = configured(5, 45);
    static final ConfiguredDefinitions B = configured(6, 45);
    static final ConfiguredDefinitions C = configured(6, 30);
    static final List<ConfigurationHistory.Version> HISTORY = List.of(new ConfigurationHistory.Version(T1, A),
            new ConfigurationHistory.Version(T2, B), new ConfigurationHistory.Version(T3, C));

    @Test
    void theVersionInForceIsTheLastBegunAtOrBeforeTheInstant() {
        assertThat(inForce(T1)).isEqualTo(A); // a version is in force from the instant it begins
        assertThat(inForce(T2.minusMillis(1))).isEqualTo(A);
        assertThat(inForce(T2)).isEqualTo(B);
        assertThat(inForce(T3.minusSeconds(1))).isEqualTo(B);
        assertThat(inForce(T3)).isEqualTo(C);
        assertThat(inForce(T3.plusSeconds(86_400 * 365))).isEqualTo(C);
        assertThat(ConfigurationHistory.at(HISTORY, T2).orElseThrow().assumed()).isFalse();
    }

    @Test
    void beforeTheFirstVersionTheEarliestIsTakenAndSaidToBeAssumed() {
        var before = ConfigurationHistory.at(HISTORY, T1.minusMillis(1)).orElseThrow();
        assertThat(before.version().definitions()).isEqualTo(A);
        assertThat(before.assumed()).isTrue();
        assertThat(ConfigurationHistory.at(HISTORY, Instant.EPOCH).orElseThrow().version().validFrom()).isEqualTo(T1);
        // the earliest by its start, whatever the order it was recorded in
        var recordedLate = List.of(new ConfigurationHistory.Version(T2, B), new ConfigurationHistory.Version(T1, A));
        assertThat(ConfigurationHistory.at(recordedLate, Instant.EPOCH).orElseThrow().version().definitions()).isEqualTo(A);
        assertThat(ConfigurationHistory.at(recordedLate, T1.plusSeconds(1)).orElseThrow().version().definitions()).isEqualTo(A);
        assertThat(ConfigurationHistory.at(recordedLate, T2).orElseThrow().version().definitions()).isEqualTo(B);
    }

    @Test
    void ofTwoVersionsBeginningAtOneInstantTheOneRecordedLaterIsInForce() {
        var sameStart = List.of(new ConfigurationHistory.Version(T1, A), new ConfigurationHistory.Version(T1, B));
        assertThat(ConfigurationHistory.at(sameStart, T1).orElseThrow().version().definitions()).isEqualTo(B);
        // before both, the earliest is the first recorded
        assertThat(ConfigurationHistory.at(sameStart, Instant.EPOCH).orElseThrow().version().definitions()).isEqualTo(A);
    }

    @Test
    void withNothingRecordedThereIsNoVersion() {
        assertThat(ConfigurationHistory.at(List.of(), T1)).isEmpty();
    }

    @Test
    void aStartRecordsOnlyAConfigurationThatDiffersFromTheLastRecorded() {
        assertThat(ConfigurationHistory.differs(Optional.empty(), A)).isTrue();
        assertThat(ConfigurationHistory.differs(Optional.of(A), configured(5, 45))).isFalse(); // equal by value
        assertThat(ConfigurationHistory.differs(Optional.of(A), B)).isTrue(); // a threshold
        assertThat(ConfigurationHistory.differs(Optional.of(B), C)).isTrue(); // a lifecycle rule
        // the margin rates: the default, a category's, or not recorded (a version of the release before V18)
        assertThat(ConfigurationHistory.differs(Optional.of(A), configured(5, 45, MarginRates.uniform(0.25)))).isTrue();
        assertThat(ConfigurationHistory.differs(Optional.of(configured(5, 45, MarginRates.parse(0.30, "dairy:0.35"))),
                configured(5, 45, MarginRates.parse(0.30, "dairy:0.4")))).isTrue();
        assertThat(ConfigurationHistory.differs(Optional.of(configured(5, 45, MarginRates.parse(0.30, " Dairy/:0.35"))),
                configured(5, 45, MarginRates.parse(0.30, "dairy:0.35")))).isFalse();
        assertThat(ConfigurationHistory.differs(Optional.of(configured(5, 45, null)), A)).isTrue();
    }

    @Test
    void theMarginRatesInForceAreThoseOfTheVersionInForce() {
        MarginRates low = MarginRates.parse(0.20, "dairy:0.35");
        MarginRates high = MarginRates.uniform(0.40);
        var history = List.of(new ConfigurationHistory.Version(T1, configured(5, 45, low)),
                new ConfigurationHistory.Version(T2, configured(5, 45, high)));
        assertThat(ConfigurationHistory.marginRatesAt(history, T1)).contains(low);
        assertThat(ConfigurationHistory.marginRatesAt(history, T2.minusMillis(1))).contains(low);
        assertThat(ConfigurationHistory.marginRatesAt(history, T2)).contains(high);
        assertThat(ConfigurationHistory.marginRatesAt(history, Instant.EPOCH)).contains(low); // before the first: the earliest
    }

    @Test
    void aVersionRecordedBeforeTheRatesWereTakesTheEarliestRecordedNotTheLatest() {
        MarginRates first = MarginRates.uniform(0.25);
        MarginRates later = MarginRates.uniform(0.40);
        var history = List.of(new ConfigurationHistory.Version(T1, configured(5, 45, null)),
                new ConfigurationHistory.Version(T2, configured(6, 45, first)),
                new ConfigurationHistory.Version(T3, configured(6, 45, later)));
        assertThat(ConfigurationHistory.marginRatesAt(history, T1)).contains(first);
        assertThat(ConfigurationHistory.marginRatesAt(history, Instant.EPOCH)).contains(first);
        assertThat(ConfigurationHistory.marginRatesAt(history, T3)).contains(later);
        // the version's thresholds stand whatever its rates
        assertThat(ConfigurationHistory.at(history, T1).orElseThrow().version().definitions().highValueActive().minOrders30d())
                .isEqualTo(5);
        // no version records rates: none known (the running ones are taken)
        assertThat(ConfigurationHistory.marginRatesAt(List.of(new ConfigurationHistory.Version(T1, configured(5, 45, null))),
                T2)).isEmpty();
        assertThat(ConfigurationHistory.marginRatesAt(List.of(), T2)).isEmpty();
    }

    @Test
    void churnEdgeEndsWhereTheLifecycleSaysDormant() {
        LifecycleRules lifecycle = new LifecycleRules(180, 45, 6, 600);
        assertThatThrownBy(() -> new ConfiguredDefinitions(new DefaultSegments.Active(6, 5, 700),
                new DefaultSegments.Active(12, 3, 400), new DefaultSegments.Fading(20, 1, 200, 200), lifecycle, RATES))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> configured(-1, 45)).isInstanceOf(InvalidThresholdException.class);
    }

    static ConfiguredDefinitions inForce(Instant at) {
        return ConfigurationHistory.at(HISTORY, at).orElseThrow().version().definitions();
    }
}
