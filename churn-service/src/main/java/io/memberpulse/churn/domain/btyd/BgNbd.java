package io.memberpulse.churn.domain.btyd;

import java.util.Collection;

/**
 * The BG/NBD customer-base model (Fader, Hardie and Lee 2005): while alive a customer buys at a
 * Poisson rate λ ~ Gamma(r, α); after each purchase they drop out with probability p ~ Beta(a, b).
 * Parameters are per time unit of the {@link RepeatSummary} they are used with.
 */
public record BgNbd(double r, double alpha, double a, double b) {

    public BgNbd {
        if (!(r > 0 && alpha > 0 && a > 0 && b > 0)) {
            throw new IllegalArgumentException("BG/NBD parameters must be positive: " + r + ", " + alpha + ", " + a + ", " + b);
        }
    }

    /** Log-likelihood of one customer's (x, tx, T). */
    public double logLikelihood(RepeatSummary s) {
        int x = s.x();
        double a1 = Gamma.logGamma(r + x) - Gamma.logGamma(r) + r * Math.log(alpha);
        double a2 = Gamma.logGamma(a + b) + Gamma.logGamma(b + x) - Gamma.logGamma(b) - Gamma.logGamma(a + b + x);
        double a3 = -(r + x) * Math.log(alpha + s.T());
        if (x == 0) {
            return a1 + a2 + a3;
        }
        double a4 = Math.log(a) - Math.log(b + x - 1) - (r + x) * Math.log(alpha + s.tx());
        double max = Math.max(a3, a4);
        return a1 + a2 + max + Math.log(Math.exp(a3 - max) + Math.exp(a4 - max));
    }

    public double logLikelihood(Collection<RepeatSummary> customers) {
        double sum = 0;
        for (RepeatSummary s : customers) {
            sum += logLikelihood(s);
        }
        return sum;
    }

    /** P(alive at T | x, tx, T). */
    public double probabilityAlive(RepeatSummary s) {
        if (s.x() == 0) {
            return 1;
        }
        double logRatio = Math.log(a) - Math.log(b + s.x() - 1) + (r + s.x()) * (Math.log(alpha + s.T()) - Math.log(alpha + s.tx()));
        return 1 / (1 + Math.exp(logRatio));
    }

    /**
     * P(no purchase in (T, T + horizon] | x, tx, T): dead, or alive with no purchase. An alive
     * customer's rate given the history is Gamma(r + x, α + T), and without a purchase there is no
     * chance to drop out, so P(none | alive) = ((α + T) / (α + T + horizon))^(r + x).
     */
    public double probabilityNoPurchase(RepeatSummary s, double horizon) {
        double alive = probabilityAlive(s);
        double noneIfAlive = Math.exp((r + s.x()) * (Math.log(alpha + s.T()) - Math.log(alpha + s.T() + horizon)));
        return (1 - alive) + alive * noneIfAlive;
    }
}
