package io.memberpulse.churn.domain.features;

import io.memberpulse.churn.domain.btyd.BgNbd;
import io.memberpulse.churn.domain.btyd.RepeatSummary;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Builds {@link Snapshot}s: every member's features as of a cut-off T (BG/NBD refitted on the
 * histories up to T) and, when asked, the label "no purchase in (T, T + H]". A labelled member whom
 * staff called within (T, T + H], before any return, is a treated example (see {@link #treated}): its
 * label shows the intervention's effect, so the row says so ({@link Feature#TREATED_IN_HORIZON}) and a
 * model learns both courses.
 */
public final class SnapshotBuilder {
    /** Fewer members than this and BG/NBD is not fitted: its features stay undefined (NaN). */
    public static final int MIN_MEMBERS_FOR_BGNBD = 50;
    /** BG/NBD is fitted on at most this many members (a fixed, spread sample), to bound the time. */
    static final int BGNBD_SAMPLE = 4_000;

    private final FeatureExtractor extractor;
    private final Function<List<RepeatSummary>, BgNbd> bgNbdFit;
    private final int horizonDays;

    public SnapshotBuilder(FeatureExtractor extractor, Function<List<RepeatSummary>, BgNbd> bgNbdFit, int horizonDays) {
        this.extractor = extractor;
        this.bgNbdFit = bgNbdFit;
        this.horizonDays = horizonDays;
    }

    public int horizonDays() {
        return horizonDays;
    }

    /** Features as of {@code asOf}; labelled when {@code labelled} (the caller knows facts up to T + H). */
    public Snapshot at(Map<String, ? extends Collection<Activity>> histories, StockOuts stockOuts, Instant asOf,
            boolean labelled) {
        return at(histories, stockOuts, asOf, labelled ? asOf.plus(Duration.ofDays(horizonDays)) : null);
    }

    /**
     * Features as of {@code asOf}, and what the facts up to {@code observedUntil} say about the time after it:
     * each member's days to the next purchase (facts after observedUntil are not read), and the label when
     * the whole horizon lies before observedUntil. Unlabelled when observedUntil is null.
     */
    public Snapshot at(Map<String, ? extends Collection<Activity>> histories, StockOuts stockOuts, Instant asOf,
            Instant observedUntil) {
        boolean labelled = observedUntil != null && !asOf.plus(Duration.ofDays(horizonDays)).isAfter(observedUntil);
        Map<String, MemberHistory> known = new TreeMap<>();
        histories.forEach((member, activities) -> {
            MemberHistory history = extractor.history(activities, asOf);
            if (history.hasPurchased()) {
                known.put(member, history);
            }
        });
        BgNbd bgNbd = fitBgNbd(known.values());
        Population population = Population.of(bgNbd, known.values(), horizonDays);
        List<String> members = new ArrayList<>(known.size());
        List<Set<String>> products = new ArrayList<>(known.size());
        double[][] features = new double[known.size()][];
        int[] churned = labelled ? new int[known.size()] : null;
        double[] daysToReturn = observedUntil != null ? new double[known.size()] : null;
        int i = 0;
        Instant end = asOf.plus(Duration.ofDays(horizonDays));
        for (Map.Entry<String, MemberHistory> entry : known.entrySet()) {
            members.add(entry.getKey());
            products.add(FeatureExtractor.products(entry.getValue()));
            features[i] = extractor.extract(entry.getValue(), population, stockOuts).orElseThrow();
            if (daysToReturn != null) {
                daysToReturn[i] = daysToReturn(histories.get(entry.getKey()), asOf, observedUntil);
            }
            if (labelled) {
                churned[i] = churned(histories.get(entry.getKey()), asOf, end) ? 1 : 0;
                features[i][Feature.TREATED_IN_HORIZON.ordinal()] = treated(histories.get(entry.getKey()), asOf, end) ? 1 : 0;
            } else if (daysToReturn != null) {
                // a horizon not over yet: what staff did up to the end of the facts
                features[i][Feature.TREATED_IN_HORIZON.ordinal()] =
                        treated(histories.get(entry.getKey()), asOf, observedUntil) ? 1 : 0;
            }
            i++;
        }
        return new Snapshot(asOf, population, List.copyOf(members), features, churned, daysToReturn,
                List.copyOf(products));
    }

    /** Days from {@code from} to the first purchase in (from, until]; +Infinity when there is none. */
    public static double daysToReturn(Collection<Activity> activities, Instant from, Instant until) {
        double first = Double.POSITIVE_INFINITY;
        for (Activity activity : activities) {
            if (activity.isPurchase() && activity.at().isAfter(from) && !activity.at().isAfter(until)) {
                first = Math.min(first, Duration.between(from, activity.at()).getSeconds() / 86_400d);
            }
        }
        return first;
    }

    /** The label: no purchase in (from, to]. */
    public static boolean churned(Collection<Activity> activities, Instant from, Instant to) {
        for (Activity activity : activities) {
            if (activity.isPurchase() && activity.at().isAfter(from) && !activity.at().isAfter(to)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Staff tried to reach the member in (from, to] before the member's first purchase in it: intent to treat. A call
     * counts whether or not it got through, since whether a member answers follows their engagement, which the label
     * measures too (counting only the reached would credit the call with the answerers' loyalty); and a call after the
     * member had come back cannot have brought them back.
     */
    public static boolean treated(Collection<Activity> activities, Instant from, Instant to) {
        Instant firstCall = null;
        Instant firstPurchase = null;
        for (Activity activity : activities) {
            if (!activity.at().isAfter(from) || activity.at().isAfter(to)) {
                continue;
            }
            if (activity.isInterventionAttempt() && (firstCall == null || activity.at().isBefore(firstCall))) {
                firstCall = activity.at();
            } else if (activity.isPurchase() && (firstPurchase == null || activity.at().isBefore(firstPurchase))) {
                firstPurchase = activity.at();
            }
        }
        return firstCall != null && (firstPurchase == null || !firstPurchase.isBefore(firstCall));
    }

    private BgNbd fitBgNbd(Collection<MemberHistory> histories) {
        if (histories.size() < MIN_MEMBERS_FOR_BGNBD) {
            return null;
        }
        List<RepeatSummary> summaries = new ArrayList<>();
        int step = Math.max(1, histories.size() / BGNBD_SAMPLE);
        int i = 0;
        for (MemberHistory history : histories) {
            if (i++ % step == 0) {
                extractor.repeatSummary(history).ifPresent(summaries::add);
            }
        }
        try {
            return bgNbdFit.apply(summaries);
        } catch (RuntimeException unfit) {
            return null;
        }
    }
}
