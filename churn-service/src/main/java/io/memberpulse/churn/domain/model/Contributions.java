package io.memberpulse.churn.domain.model;

/**
 * What each feature adds to a member's churn log-odds, from {@code base}, the model's expected log-odds.
 *
 * @param byFeature one contribution per {@link io.memberpulse.churn.domain.features.Feature}, by ordinal (0 for the
 *     features the model does not read)
 * @param exact true when sigmoid(base + Σ byFeature) is the model's probability; false for a blend, which averages
 *     its parts' probabilities while these are its parts' log-odds contributions weighted by their share
 */
public record Contributions(double base, double[] byFeature, boolean exact) {

    /** base + Σ byFeature: the log-odds the contributions add up to. */
    public double logOdds() {
        double sum = base;
        for (double c : byFeature) {
            sum += c;
        }
        return sum;
    }
}
