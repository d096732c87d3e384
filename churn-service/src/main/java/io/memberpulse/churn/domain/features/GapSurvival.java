package io.memberpulse.churn.domain.features;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Collection;

/**
 * How long gaps between purchase days last across all members, as Kaplan-Meier survival curves by
 * stratum (the gap after a member's 1st, 2nd, 3rd or later purchase day): completed gaps are events,
 * each member's open gap (since the last purchase day) is censored. Learnt from the histories up to
 * a cut-off alone. Gives P(the open gap outlasts the horizon | it has lasted the recency so far).
 */
public record GapSurvival(double[][] survival) {
    static final int STRATA = 4;
    static final int MAX_DAYS = 730;
    /** Fewer gaps at risk than this and a curve's tail is not trusted (kept flat). */
    private static final int MIN_AT_RISK = 5;

    public static final GapSurvival NONE = new GapSurvival(new double[0][]);

    public static GapSurvival of(Collection<MemberHistory> histories) {
        long[][] events = new long[STRATA][MAX_DAYS + 2];
        long[][] censored = new long[STRATA][MAX_DAYS + 2];
        for (MemberHistory history : histories) {
            long[] days = history.purchaseDays();
            for (int i = 0; i < days.length; i++) {
                int stratum = Math.min(i, STRATA - 1);
                if (i + 1 < days.length) {
                    events[stratum][cap(days[i + 1] - days[i])]++;
                } else {
                    censored[stratum][cap(history.asOfDay() - days[i])]++;
                }
            }
        }
        double[][] survival = new double[STRATA][];
        for (int s = 0; s < STRATA; s++) {
            survival[s] = kaplanMeier(events[s], censored[s]);
        }
        return new GapSurvival(survival);
    }

    /** S(t) = P(gap > t days); a gap of length d ends on day d, censoring at d means it lasted at least d. */
    private static double[] kaplanMeier(long[] events, long[] censored) {
        long atRisk = 0;
        for (int d = 0; d < events.length; d++) {
            atRisk += events[d] + censored[d];
        }
        double[] s = new double[MAX_DAYS + 1];
        double current = 1;
        for (int d = 0; d <= MAX_DAYS; d++) {
            if (atRisk >= MIN_AT_RISK && events[d] > 0) {
                current *= 1 - events[d] / (double) atRisk;
            }
            s[d] = current;
            atRisk -= events[d] + censored[d];
        }
        return s;
    }

    /**
     * P(no purchase day within the horizon | the gap after the member's k-th purchase day has lasted
     * recencyDays); NaN when unknown (no curve, or no survivor that long).
     */
    public double churnProbability(int purchaseDays, long recencyDays, int horizonDays) {
        if (survival.length == 0 || purchaseDays < 1) {
            return Double.NaN;
        }
        double[] s = survival[Math.min(purchaseDays - 1, STRATA - 1)];
        double now = s[cap(recencyDays)];
        return now <= 0 ? Double.NaN : Math.min(1, s[cap(recencyDays + horizonDays)] / now);
    }

    private static int cap(long days) {
        return (int) Math.max(0, Math.min(MAX_DAYS, days));
    }

    void write(DataOutputStream out) throws IOException {
        out.writeInt(survival.length);
        for (double[] curve : survival) {
            out.writeInt(curve.length);
            for (double v : curve) {
                out.writeDouble(v);
            }
        }
    }

    static GapSurvival read(DataInputStream in) throws IOException {
        double[][] survival = new double[in.readInt()][];
        for (int s = 0; s < survival.length; s++) {
            survival[s] = new double[in.readInt()];
            for (int d = 0; d < survival[s].length; d++) {
                survival[s][d] = in.readDouble();
            }
        }
        return new GapSurvival(survival);
    }
}
