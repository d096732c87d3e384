package io.memberpulse.churn.domain.model;

import io.memberpulse.churn.domain.btyd.BgNbd;
import io.memberpulse.churn.domain.btyd.RepeatSummary;
import java.util.List;
import org.apache.commons.math3.analysis.MultivariateFunction;
import org.apache.commons.math3.optim.InitialGuess;
import org.apache.commons.math3.optim.MaxEval;
import org.apache.commons.math3.optim.PointValuePair;
import org.apache.commons.math3.optim.nonlinear.scalar.GoalType;
import org.apache.commons.math3.optim.nonlinear.scalar.ObjectiveFunction;
import org.apache.commons.math3.optim.nonlinear.scalar.noderiv.NelderMeadSimplex;
import org.apache.commons.math3.optim.nonlinear.scalar.noderiv.SimplexOptimizer;

/**
 * BG/NBD by maximum likelihood: Nelder-Mead (commons-math3) over the logarithms of (r, α, a, b),
 * restarted from its own optimum until the log-likelihood stops improving.
 */
public final class BgNbdFitter {
    /** A fit, with the log-likelihood it reached. */
    public record Fit(BgNbd model, double logLikelihood, int customers) {
    }

    private BgNbdFitter() {
    }

    public static Fit fit(List<RepeatSummary> customers) {
        if (customers.isEmpty()) {
            throw new IllegalArgumentException("no customers to fit BG/NBD to");
        }
        MultivariateFunction logLikelihood = p -> {
            double ll = model(p).logLikelihood(customers);
            return Double.isFinite(ll) ? ll : -1e300;
        };
        SimplexOptimizer optimizer = new SimplexOptimizer(1e-12, 1e-12);
        double[] start = {0, 0, 0, 0};
        double best = Double.NEGATIVE_INFINITY;
        for (int round = 0; round < 6; round++) {
            PointValuePair optimum = optimizer.optimize(new MaxEval(20_000), new ObjectiveFunction(logLikelihood),
                    GoalType.MAXIMIZE, new InitialGuess(start), new NelderMeadSimplex(4, 0.5));
            boolean converged = optimum.getValue() - best < 1e-9;
            start = optimum.getPoint();
            best = Math.max(best, optimum.getValue());
            if (converged) {
                break;
            }
        }
        return new Fit(model(start), best, customers.size());
    }

    private static BgNbd model(double[] logParams) {
        double[] p = new double[4];
        for (int i = 0; i < 4; i++) {
            p[i] = Math.exp(Math.max(-30, Math.min(30, logParams[i])));
        }
        return new BgNbd(p[0], p[1], p[2], p[3]);
    }
}
