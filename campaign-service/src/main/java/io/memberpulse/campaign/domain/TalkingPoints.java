package io.memberpulse.campaign.domain;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * A few lines a store manager can glance at before dialling: the risk and the deadline, then what the
 * member's own history says (RFM, last purchase, favourite categories, open coupons).
 */
public final class TalkingPoints {
    private static final int ITEMS_SHOWN = 3;

    private TalkingPoints() {
    }

    /**
     * @param dayZone the time zone whose calendar days staff read dates in
     * @param money   how amounts are written, in the chain's currency
     */
    public static List<String> of(CallTask task, Instant now, ZoneId dayZone, Money money) {
        List<String> points = new ArrayList<>();
        // An unscored member's risk is unknown, not 0: "churn risk 0%" would tell staff the call hardly matters.
        if (!task.unscored()) {
            points.add("churn risk " + Math.round(task.probability() * 100) + "%");
            points.add("90-day spend " + money.format(task.memberValue()));
            points.add("value at risk " + money.format(task.valueAtRisk()));
        }
        points.add(deadline(task, now));
        if (task.insight() != null) {
            points.addAll(history(task.insight(), dayZone, money));
        }
        return points;
    }

    /** "1 order", "3 orders", "0 days": read aloud on a call, so it should read right. */
    static String count(long n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }

    static List<String> history(MemberInsight insight, ZoneId dayZone, Money money) {
        List<String> points = new ArrayList<>();
        MemberInsight.LastPurchase last = insight.lastPurchase();
        if (last == null) {
            points.add("no purchase on record");
        } else {
            points.add("RFM: last purchase " + count(insight.recencyDays(), "day") + " ago, "
                    + count(insight.orders90d(), "order") + " and " + money.format(insight.netSpend90d()) + " net in 90 days");
            points.add("last bought " + last.at().atZone(dayZone).toLocalDate()
                    + (last.storeId() == null ? "" : " at " + last.storeId()) + ": " + items(last) + " (" + money.format(last.amount()) + ")");
            if (insight.returnedSinceLastPurchase() > 0) {
                points.add("returned " + money.format(insight.returnedSinceLastPurchase()) + " since then");
            }
        }
        if (!insight.favouriteCategories().isEmpty()) {
            points.add("likes " + String.join(", ", insight.favouriteCategories()));
        }
        if (insight.openCoupons().isEmpty()) {
            points.add("no open coupons");
        } else {
            MemberInsight.OpenCoupon first = insight.openCoupons().get(0);
            points.add(insight.openCoupons().size() + " open coupon" + (insight.openCoupons().size() == 1 ? "" : "s")
                    + (first.value() == null ? "" : ", " + money.format(first.value()))
                    + " expiring " + first.expiresAt().atZone(dayZone).toLocalDate());
        }
        return points;
    }

    private static String items(MemberInsight.LastPurchase last) {
        String shown = last.items().stream().limit(ITEMS_SHOWN)
                .map(item -> quantity(item.quantity()) + " × " + (item.category() != null ? item.category()
                        : item.sku() != null ? item.sku() : "item"))
                .collect(Collectors.joining(", "));
        int more = last.items().size() - ITEMS_SHOWN;
        return more > 0 ? shown + " and " + more + " more" : shown;
    }

    private static String quantity(double quantity) {
        return quantity == Math.rint(quantity) ? Long.toString((long) quantity) : String.format(Locale.ROOT, "%.2f", quantity);
    }

    private static String deadline(CallTask task, Instant now) {
        if (task.isOverdue(now)) {
            return "overdue by " + hours(Duration.between(task.dueAt(), now)) + " h";
        }
        return "call within " + hours(Duration.between(now, task.dueAt())) + " h";
    }

    /** Whole hours, rounded up so that "within 0 h" never shows while time is left. */
    private static long hours(Duration duration) {
        long minutes = duration.toMinutes();
        return (minutes + 59) / 60;
    }
}
