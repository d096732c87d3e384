package io.memberpulse.campaign.domain.experiment;

/**
 * How many members each arm needs to detect an absolute uplift in a conversion rate
 * (two-sided α = 0.05, power 0.8): n = (z_α/2 + z_β)² · (p0(1−p0) + p1(1−p1)) / (p1 − p0)².
 */
public final class SampleSize {
    static final double Z_ALPHA = 1.959963984540054;
    static final double Z_POWER = 0.8416212335729143;
    /**
     * The smallest uplift sized, a tenth of a percentage point: it needs at most about 3.9 million members per arm
     * (at p(1−p) = 0.25 in both arms). Below it the count outgrows any campaign, and a tiny uplift (1e-12, or 1e-200,
     * which squares to 0) cast to long stored Long.MAX_VALUE as the hint.
     */
    public static final double MIN_UPLIFT = 0.001;

    private SampleSize() {
    }

    public static long perArm(double baselineRate, double minimumUplift) {
        if (!(baselineRate > 0 && baselineRate < 1)) {
            throw new IllegalArgumentException("baseline rate must be within (0, 1): " + baselineRate);
        }
        double treated = baselineRate + minimumUplift;
        if (!(minimumUplift > 0 && treated < 1)) {
            throw new IllegalArgumentException("minimum uplift must be positive and keep the rate under 1: " + minimumUplift);
        }
        if (minimumUplift < MIN_UPLIFT) {
            throw new IllegalArgumentException("must be at least " + MIN_UPLIFT + " (a tenth of a percentage point), not "
                    + minimumUplift + ": a smaller uplift needs more members per arm than a campaign can enrol");
        }
        double z = Z_ALPHA + Z_POWER;
        double variance = baselineRate * (1 - baselineRate) + treated * (1 - treated);
        return (long) Math.ceil(z * z * variance / (minimumUplift * minimumUplift));
    }
}
