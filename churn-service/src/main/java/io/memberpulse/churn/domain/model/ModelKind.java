package io.memberpulse.churn.domain.model;

import io.memberpulse.churn.domain.features.Feature;
import java.util.Arrays;

/** The models a training run fits or evaluates side by side: three baselines and the trained models. */
public enum ModelKind {
    /** Baseline: recency alone (a one-feature logistic regression, so it also gives probabilities). */
    RECENCY(true, Feature.LOG_RECENCY),
    /** Baseline: the rhythm model that scored members before trained models existed (not trained). */
    RHYTHM(true, Feature.RHYTHM_CHURN),
    /** Baseline: BG/NBD's probability of no purchase within the horizon (fitted, not trained on labels). */
    BGNBD(true, Feature.BGNBD_P_NO_PURCHASE),
    /** Baseline: plain logistic regression on recency, frequency, monetary value and tenure. */
    LR_RFM(true, Feature.LOG_RECENCY, Feature.PURCHASE_DAYS, Feature.NET_SPEND, Feature.TENURE_DAYS),
    /** Logistic regression (XGBoost gblinear, L2) on every feature, standardised. */
    LR(false),
    /** Gradient-boosted trees (XGBoost) on every feature. */
    GBT(false),
    /** Gradient-boosted trees grown from BG/NBD's log-odds: the trees learn what BG/NBD misses. */
    GBT_BGNBD(false),
    /**
     * The mean of LR's and GBT_BGNBD's probabilities: a smooth linear view and a tree view of the same
     * features err on different members, so their average ranks better than either (on validation).
     */
    BLEND(false);

    private final boolean baseline;
    private final Feature[] features;

    ModelKind(boolean baseline, Feature... features) {
        this.baseline = baseline;
        this.features = features.length == 0 ? Feature.values() : features;
    }

    public boolean baseline() {
        return baseline;
    }

    /** The feature columns the model reads. */
    public int[] columns() {
        return Arrays.stream(features).mapToInt(Feature::ordinal).toArray();
    }

    public Feature[] features() {
        return features.clone();
    }

    public String key() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
}
