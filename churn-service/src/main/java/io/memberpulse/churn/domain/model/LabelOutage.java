package io.memberpulse.churn.domain.model;

import io.memberpulse.churn.domain.features.Activity;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * A silence of the purchase feed within the labels a training run learns from. A member is labelled churned at a
 * cut-off T when no purchase of theirs is recorded in (T, T + H]; when a channel's events stopped arriving for days,
 * the latest label windows, the validation window D − H among them, call almost everyone churned, and the facts say
 * nothing of it but the missing days themselves.
 *
 * <p>The rule: a run of consecutive days on which no member bought, touching the last horizon (the days from the
 * validation cut-off D − H to D, a silence still going on at D included), is an outage when it lasts at least
 * {@code minDays} days and the chain's normal volume would have given at least {@value #MIN_EXPECTED} purchases in
 * it: the members buying per day, averaged over the {@value #REFERENCE_DAYS} days before the run (whole weeks, so
 * weekly closing days count as in any run of days; fewer where the records begin later, and no judgement on fewer
 * than {@value #MIN_REFERENCE_DAYS}), times its days. With that many expected, seeing none is not chance (Poisson:
 * e^−20), even at a third of the usual rate. The length keeps closures off: Online Retail's 11 days over Christmas,
 * its Saturdays; the volume keeps small data sets off, whose quiet fortnights are chance. Days are those of the
 * chain's calendar (the features' zone); a day counts its members with an order line, once each.
 *
 * <p>One channel's feed may stop while the others flow (the delivery platform's, the tills'): its members then look
 * churned though the chain as a whole still sells every day. So each channel (an order line's source) is judged too,
 * by the same rule over its own days, with two more conditions: its silence began within the last horizon (a channel
 * silent since before it, one retired long ago, is not judged; one retired within it is, until its last sale is a
 * horizon old), and it had at least {@value #MIN_EXPECTED} purchases in the days before the silence, so a channel that
 * is simply small, whose quiet weeks are chance, never trips the guard however long it stays quiet.
 *
 * @param channel the channel whose feed fell silent; null when no channel recorded a purchase (the whole feed)
 */
public record LabelOutage(LocalDate from, LocalDate to, double perDay, int referenceDays, boolean ongoing,
        String channel) {
    /** Purchases the run's days must have been expected to hold for their silence to be an outage. */
    public static final double MIN_EXPECTED = 20;
    /** Days before a run whose volume is the normal one: four whole weeks. */
    public static final int REFERENCE_DAYS = 28;
    /** Fewer days of records before a run say too little of the normal volume to judge it. */
    public static final int MIN_REFERENCE_DAYS = 14;

    public int days() {
        return (int) ChronoUnit.DAYS.between(from, to) + 1;
    }

    /** Purchases (members buying on a day) the run would have held at the volume before it. */
    public double expected() {
        return perDay * days();
    }

    /** Purchases (members buying on a day) in the reference days before the run. */
    public long referencePurchases() {
        return Math.round(perDay * referenceDays);
    }

    /**
     * The outage in a run's last horizon: the latest one among the runs of days without a purchase that touch the days
     * of plan.validationCutoff() to plan.asOf() in zone, counting the purchases up to plan.asOf(); else, when no such
     * silence of the whole feed, the channel whose silence there would have held the most purchases. Empty when there
     * is none, or minDays is 0 (the guard is off).
     */
    public static Optional<LabelOutage> in(TrainingPlan plan, Map<String, ? extends Collection<Activity>> histories,
            ZoneId zone, int minDays) {
        return in(plan, histories, zone, LabelGuard.of(minDays));
    }

    /** {@link #in(TrainingPlan, Map, ZoneId, int)}, the channels the guard names closed left unjudged. */
    public static Optional<LabelOutage> in(TrainingPlan plan, Map<String, ? extends Collection<Activity>> histories,
            ZoneId zone, LabelGuard guard) {
        int minDays = guard.minDays();
        if (minDays == 0) {
            return Optional.empty();
        }
        LocalDate first = LocalDate.ofInstant(plan.validationCutoff(), zone);
        LocalDate last = LocalDate.ofInstant(plan.asOf(), zone);
        Optional<LabelOutage> whole = find(buyersPerDay(histories, plan.asOf(), zone), first, last, minDays);
        if (whole.isPresent()) {
            return whole;
        }
        return buyersPerChannelDay(histories, plan.asOf(), zone).entrySet().stream()
                .filter(channel -> guard.judges(channel.getKey()))
                .flatMap(channel -> findInChannel(channel.getKey(), channel.getValue(), first, last, minDays).stream())
                .max(Comparator.comparingDouble(LabelOutage::expected).thenComparing(LabelOutage::channel));
    }

    /** Members with an order line on each day (in zone), of the facts up to until; days without one are absent. */
    public static Map<LocalDate, Integer> buyersPerDay(Map<String, ? extends Collection<Activity>> histories,
            Instant until, ZoneId zone) {
        Map<LocalDate, Integer> buyers = new HashMap<>();
        Set<LocalDate> days = new HashSet<>();
        for (Collection<Activity> activities : histories.values()) {
            days.clear();
            for (Activity activity : activities) {
                if (activity.isPurchase() && !activity.at().isAfter(until)) {
                    days.add(LocalDate.ofInstant(activity.at(), zone));
                }
            }
            days.forEach(day -> buyers.merge(day, 1, Integer::sum));
        }
        return buyers;
    }

    /**
     * Members with an order line on each day (in zone) in each channel, of the facts up to until: a member buying in two
     * channels on a day counts in both. An order line without a channel counts under "unknown".
     */
    public static Map<String, Map<LocalDate, Integer>> buyersPerChannelDay(
            Map<String, ? extends Collection<Activity>> histories, Instant until, ZoneId zone) {
        Map<String, Map<LocalDate, Integer>> buyers = new TreeMap<>();
        Map<String, Set<LocalDate>> days = new HashMap<>();
        for (Collection<Activity> activities : histories.values()) {
            days.clear();
            for (Activity activity : activities) {
                if (activity.isPurchase() && !activity.at().isAfter(until)) {
                    days.computeIfAbsent(activity.channel() == null ? "unknown" : activity.channel(),
                            channel -> new HashSet<>()).add(LocalDate.ofInstant(activity.at(), zone));
                }
            }
            days.forEach((channel, dates) -> {
                Map<LocalDate, Integer> perDay = buyers.computeIfAbsent(channel, c -> new HashMap<>());
                dates.forEach(day -> perDay.merge(day, 1, Integer::sum));
            });
        }
        return buyers;
    }

    /**
     * The latest outage of one channel among its runs of days without a purchase that begin within [first, last], by
     * the rule of {@link #find}, whose reference days held at least {@value #MIN_EXPECTED} of the channel's purchases.
     *
     * @param buyersPerDay the channel's members buying per day (buyersPerChannelDay)
     */
    public static Optional<LabelOutage> findInChannel(String channel, Map<LocalDate, Integer> buyersPerDay,
            LocalDate first, LocalDate last, int minDays) {
        return search(buyersPerDay, first, last, minDays, channel);
    }

    /**
     * The latest outage among the runs of days without a purchase that touch [first, last] (days absent from
     * buyersPerDay have none; the days after last are not known). A run is measured whole, also where it began
     * before first; the days before the first purchase of the records are no silence.
     *
     * @param minDays the shortest run that may be an outage; 0: never
     */
    public static Optional<LabelOutage> find(Map<LocalDate, Integer> buyersPerDay, LocalDate first, LocalDate last,
            int minDays) {
        return search(buyersPerDay, first, last, minDays, null);
    }

    /** find (channel null: the whole feed), or findInChannel. */
    private static Optional<LabelOutage> search(Map<LocalDate, Integer> buyersPerDay, LocalDate first, LocalDate last,
            int minDays, String channel) {
        if (minDays < 0) {
            throw new IllegalArgumentException("the days of an outage must be 0 (no guard) or more: " + minDays);
        }
        LocalDate recordsBegin = buyersPerDay.entrySet().stream().filter(e -> e.getValue() > 0)
                .map(Map.Entry::getKey).min(LocalDate::compareTo).orElse(null);
        if (minDays == 0 || recordsBegin == null) {
            return Optional.empty();
        }
        for (LocalDate day = last; !day.isBefore(first) && day.isAfter(recordsBegin); day = day.minusDays(1)) {
            if (count(buyersPerDay, day) > 0) {
                continue;
            }
            LocalDate start = day;
            while (start.minusDays(1).isAfter(recordsBegin) && count(buyersPerDay, start.minusDays(1)) == 0) {
                start = start.minusDays(1);
            }
            if (channel != null && start.isBefore(first)) {
                break; // silent since before the last horizon: a channel retired then, not judged
            }
            if (ChronoUnit.DAYS.between(start, day) + 1 >= minDays) {
                LabelOutage run = judged(buyersPerDay, start, day, recordsBegin, day.equals(last), channel);
                if (run != null && run.expected() >= MIN_EXPECTED
                        && (channel == null || run.referencePurchases() >= MIN_EXPECTED)) {
                    return Optional.of(run);
                }
            }
            day = start; // the loop steps to the day before the run
        }
        return Optional.empty();
    }

    /** The run from start to end with the volume before it; null when the records before it are too short. */
    private static LabelOutage judged(Map<LocalDate, Integer> buyersPerDay, LocalDate start, LocalDate end,
            LocalDate recordsBegin, boolean ongoing, String channel) {
        LocalDate from = start.minusDays(REFERENCE_DAYS);
        if (from.isBefore(recordsBegin)) {
            from = recordsBegin;
        }
        int referenceDays = (int) ChronoUnit.DAYS.between(from, start);
        if (referenceDays < MIN_REFERENCE_DAYS) {
            return null;
        }
        long purchases = 0;
        for (LocalDate day = from; day.isBefore(start); day = day.plusDays(1)) {
            purchases += count(buyersPerDay, day);
        }
        return new LabelOutage(start, end, purchases / (double) referenceDays, referenceDays, ongoing, channel);
    }

    private static int count(Map<LocalDate, Integer> buyersPerDay, LocalDate day) {
        return buyersPerDay.getOrDefault(day, 0);
    }

    /** What was missing, for an operator: the channel, the days, and the purchases expected there against none seen. */
    public String describe() {
        String where = channel == null ? "" : " in channel " + channel;
        return String.format(Locale.ROOT, "no purchase recorded%s on the %d days %s to %s%s, where the %d days before "
                + "had %.1f members buying a day%s: about %.0f purchases expected, 0 seen", where, days(), from, to,
                ongoing ? " (still silent at as-of)" : "", referenceDays, perDay, channel == null ? "" : " there",
                expected());
    }
}
