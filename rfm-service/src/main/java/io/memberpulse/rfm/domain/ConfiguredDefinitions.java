package io.memberpulse.rfm.domain;

/**
 * The segment definitions that come from configuration rather than from changes made while running: the default
 * segments' thresholds as configured ({@code memberpulse.rfm.segments.*}), the lifecycle stage rules
 * ({@code memberpulse.rfm.lifecycle.*}) and the margin rates of lines that carry none
 * ({@code memberpulse.rfm.default-margin-rate}, {@code category-margin-rates}: they decide weighted F and margin M).
 * Churn edge ends where the lifecycle's dormant stage begins, so its {@code dormantDays} is the lifecycle's. Compared
 * by value: a start records them only when they differ from the version last recorded (ConfigurationHistory).
 *
 * @param marginRates null only in a version recorded before the rates were (V18): not known, see
 *        ConfigurationHistory#marginRatesAt
 */
public record ConfiguredDefinitions(DefaultSegments.Active highValueActive, DefaultSegments.Active potential,
        DefaultSegments.Fading churnEdge, LifecycleRules lifecycle, MarginRates marginRates) {

    /** Throws InvalidThresholdException naming the first threshold out of range. */
    public ConfiguredDefinitions {
        if (highValueActive == null || potential == null || churnEdge == null || lifecycle == null) {
            throw new IllegalArgumentException("every part of the configured definitions is required");
        }
        if (churnEdge.dormantDays() != lifecycle.dormantDays()) {
            throw new IllegalArgumentException("churn-edge ends at lifecycle.dormant-days (" + lifecycle.dormantDays()
                    + "), not at " + churnEdge.dormantDays());
        }
        defaults(highValueActive, potential, churnEdge);
    }

    /** The default segments with these thresholds, before any change made while running. */
    public DefaultSegments defaults() {
        return defaults(highValueActive, potential, churnEdge);
    }

    private static DefaultSegments defaults(DefaultSegments.Active highValueActive, DefaultSegments.Active potential,
            DefaultSegments.Fading churnEdge) {
        return new DefaultSegments(highValueActive, potential, churnEdge);
    }
}
