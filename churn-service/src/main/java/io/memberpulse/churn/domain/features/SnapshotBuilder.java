package io.memberpulse.churn.domain.features;

import io.memberpulse.churn.domain.btyd.BgNbd;
import io.memberpulse.churn.domain.btyd.RepeatSummary;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Builds {@link Snapshot}s: every member's features as of a cut-off T (BG/NBD refitted on the
 * histories up to T) and, when asked, the label "no (net) purchase in (T, T + H]" (an order refunded in full by
 * T + H is none; features as of T read no refund after T). A labelled member whom
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

    /**
     * Days from {@code from} to the first (net) purchase in (from, until]; +Infinity when there is none. An order refunded
     * in full by until is none (see {@link #purchasesIn}).
     */
    public static double daysToReturn(Collection<Activity> activities, Instant from, Instant until) {
        Instant first = firstPurchaseIn(activities, from, until);
        return first == null ? Double.POSITIVE_INFINITY : Duration.between(from, first).getSeconds() / 86_400d;
    }

    /** The label: no (net) purchase in (from, to]; an order refunded in full by to is none. */
    public static boolean churned(Collection<Activity> activities, Instant from, Instant to) {
        return firstPurchaseIn(activities, from, to) == null;
    }

    /**
     * Staff tried to reach the member in (from, to] before the member's first (net) purchase in it: intent to treat. A
     * call counts whether or not it got through, since whether a member answers follows their engagement, which the
     * label measures too (counting only the reached would credit the call with the answerers' loyalty); and a call after
     * the member had come back cannot have brought them back.
     */
    public static boolean treated(Collection<Activity> activities, Instant from, Instant to) {
        Instant firstCall = null;
        for (Activity activity : activities) {
            if (activity.isInterventionAttempt() && activity.at().isAfter(from) && !activity.at().isAfter(to)
                    && (firstCall == null || activity.at().isBefore(firstCall))) {
                firstCall = activity.at();
            }
        }
        if (firstCall == null) {
            return false;
        }
        Instant firstPurchase = firstPurchaseIn(activities, from, to);
        return firstPurchase == null || !firstPurchase.isBefore(firstCall);
    }

    private static Instant firstPurchaseIn(Collection<Activity> activities, Instant from, Instant to) {
        Instant first = null;
        for (Instant at : purchasesIn(activities, from, to)) {
            first = first == null || at.isBefore(first) ? at : first;
        }
        return first;
    }

    /**
     * The instants of the order lines in (from, to] whose order is a (net) purchase on the facts up to {@code to}
     * ({@link MemberHistory#isNetPurchase}): its lines up to to added up, less the refunds naming it up to to. So the
     * label reads refunds up to the end of its horizon, while features as of from read none after from
     * (MemberHistory.asOf). A line naming no order is an order of its own.
     */
    static List<Instant> purchasesIn(Collection<Activity> activities, Instant from, Instant to) {
        Map<String, double[]> paidAndRefunded = new HashMap<>();
        for (Activity activity : activities) {
            if (activity.orderKey() == null || activity.at().isAfter(to)) {
                continue;
            }
            if (activity.isPurchase()) {
                paidAndRefunded.computeIfAbsent(activity.orderKey(), k -> new double[2])[0] += activity.amount();
            } else if (activity.kind() == Activity.Kind.REFUND) {
                paidAndRefunded.computeIfAbsent(activity.orderKey(), k -> new double[2])[1] += Math.abs(activity.amount());
            }
        }
        List<Instant> purchases = new ArrayList<>();
        for (Activity activity : activities) {
            if (!activity.isPurchase() || !activity.at().isAfter(from) || activity.at().isAfter(to)) {
                continue;
            }
            double[] order = activity.orderKey() == null ? new double[] {activity.amount(), 0}
                    : paidAndRefunded.get(activity.orderKey());
            if (MemberHistory.isNetPurchase(order[0], order[1])) {
                purchases.add(activity.at());
            }
        }
        return purchases;
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
