package io.memberpulse.churn.domain.features;

/**
 * The churn features of a member as of an instant, in the order of the feature vector. Counts and
 * amounts are log1p-scaled; NaN means "not defined for this member" (no second purchase, no review).
 * "Order" is a (net) purchase: an order refunded in full by the instant is none (MemberHistory).
 */
public enum Feature {
    RECENCY_DAYS("days since the last order"),
    LOG_RECENCY("log1p of the days since the last order"),
    TENURE_DAYS("days since the first order"),
    PURCHASE_DAYS("distinct days with an order (log1p)"),
    ORDERS("orders (log1p)"),
    ORDERS_PER_30_DAYS("orders per 30 days of tenure (at least 30 days)"),
    NET_SPEND("paid minus refunded (log1p)"),
    AVG_ORDER_VALUE("average paid per order (log1p)"),
    LAST_ORDER_VALUE_RATIO("last order's value against the member's average"),
    DAYS_30("purchase days in the last 30 days (log1p)"),
    DAYS_90("purchase days in the last 90 days (log1p)"),
    DAYS_180("purchase days in the last 180 days (log1p)"),
    SPEND_90("spend in the last 90 days (log1p)"),
    SPEND_PREV_90("spend 90 to 180 days ago (log1p)"),
    SPEND_TREND("(last 90 - previous 90 days' spend) / their sum"),
    FREQUENCY_TREND("(last 90 - previous 90 days' purchase days) / their sum"),
    ACTIVE_MONTHS_SHARE("share of the 30-day periods since the first order with a purchase"),
    GAP_MEAN("mean days between purchase days"),
    GAP_MEDIAN("median days between purchase days"),
    GAP_STD("spread (standard deviation) of the gaps"),
    GAP_CV("gap spread / gap mean"),
    GAP_LAST("the last gap, in days"),
    GAP_MAX("the longest gap, in days"),
    OVERDUE_RATIO("days since the last order / mean gap"),
    OVERDUE_Z("(days since the last order - mean gap) / (gap spread + 1)"),
    RECENCY_OVER_MAX_GAP("days since the last order / longest gap"),
    RHYTHM_CHURN("the rhythm baseline's churn probability"),
    OWN_RETURN_RATE("share of the member's purchase days followed by another within the horizon"),
    PRODUCT_RETURN_RATE("how often buyers of the member's products came back within the horizon (mean)"),
    LAST_BASKET_RETURN_RATE("the same for the products of the last purchase day"),
    CATEGORY_RETURN_RATE("how often buyers of the member's categories came back within the horizon (mean)"),
    REFUND_RATE("refunded / paid"),
    REFUNDS("refunds (log1p)"),
    DISTINCT_SKUS("distinct products bought (log1p)"),
    SKUS_PER_ORDER("distinct products per order"),
    REPEAT_SKU_SHARE("share of order lines on a product bought before"),
    CATEGORIES("distinct top-level categories"),
    CATEGORY_ENTROPY("entropy of spend over top-level categories"),
    TOP_CATEGORY_SHARE("share of lines in the favourite top-level category"),
    ITEMS_PER_ORDER("items per order (log1p)"),
    AVG_UNIT_PRICE("paid per item (log1p)"),
    LINES_PER_ORDER("lines per order (log1p)"),
    CHANNELS("distinct channels ordered through"),
    TOP_CHANNEL_SHARE("share of orders in the main channel"),
    STORES("distinct stores ordered at"),
    HOME_STORE_SHARE("share of orders at the home store"),
    HOME_STORE_MEMBERS("share of all members whose home store is this member's (a store's or region's size)"),
    HOME_STORE_RETURN_RATE("how often buyers at the member's home store came back within the horizon"),
    WORKING_HOURS_SHARE("share of orders placed on weekdays between 8:00 and 18:00 (trade rather than private buying)"),
    DISCOUNTED_ORDER_SHARE("share of orders with a coupon or promotion deduction"),
    DISCOUNT_SHARE("deductions / gross amount"),
    COUPONS_REDEEMED("coupons redeemed (log1p)"),
    COUPON_REDEMPTION_RATE("coupons redeemed / issued"),
    REVIEWS("reviews written (log1p)"),
    AVG_RATING("average review rating"),
    REVIEW_SENTIMENT("mean lexicon sentiment of review texts, -1..1"),
    STOCKOUT_EXPOSURE_90("stock-outs in the member's categories at the member's stores, last 90 days (log1p)"),
    VISITS_90("store visits in the last 90 days (log1p)"),
    BGNBD_P_ALIVE("BG/NBD probability of being alive"),
    BGNBD_P_NO_PURCHASE("BG/NBD probability of no purchase within the horizon"),
    DECAYED_DAYS_30("purchase days weighted by e^(-age / 30 days) (log1p): recent activity, smoothly"),
    DECAYED_DAYS_120("purchase days weighted by e^(-age / 120 days) (log1p)"),
    SPEND_30("spend in the last 30 days (log1p)"),
    GAP_SURVIVAL_CHURN("P(the open gap outlasts the horizon | it has lasted the recency), from all members' gaps "
            + "after their k-th purchase day (Kaplan-Meier, open gaps censored)"),
    SAME_SEASON_LAST_YEAR_DAYS("purchase days in the calendar window of the horizon one year earlier (log1p); "
            + "undefined when the member's history does not reach back a year"),
    SAME_SEASON_SPEND_SHARE("share of the last year's spend made in that calendar window; undefined likewise"),
    TOUCHES_90("times store staff reached the member in the last 90 days (log1p)"),
    TREATED_IN_HORIZON("1 when staff called the member (reached or not) within the horizon after the cut-off and "
            + "before any return: set on training rows from intervention outcomes; 0 when scoring, so a score is "
            + "the churn risk if left alone"),
    PRODUCT_MOMENTUM("mean over the member's products of log((members buying it in the last 30 days + 1) / "
            + "(members buying it per 30 days in the 90 before + 1)): the season turning towards or away from them"),
    PRODUCT_RECENT_BUYERS("mean over the member's products of log1p(members who bought it in the last 30 days): "
            + "whether what the member buys still sells"),
    RECORDS_TENURE_SHARE("tenure / days since the first purchase in the records: 1 = a customer from before the "
            + "records began, whose tenure is only a lower bound"),
    QUANTITY_PER_LINE("items per order line (log1p): wholesale against retail buying"),
    RECENT_SPEND_SHARE("share of the member's spend made in the last 90 days"),
    RECENT_PRODUCT_RETURN_RATE("how often buyers of the products of the last 90 days came back within the horizon "
            + "(mean); undefined when there were none"),
    PRODUCT_RETURN_EVIDENCE("sum over the member's products of logit(their buyers' return rate) - logit(everyone's): "
            + "evidence that adds up over many products rather than averaging out"),
    FIRST_BASKET_RETURN_RATE("how often members whose first purchase held the products of this member's first "
            + "purchase came back within the horizon (mean)"),
    PRODUCT_BAG_CHURN("log-odds of churn from the products the member ever bought (ProductWeights: a logistic "
            + "regression over idf-weighted, unit-length product bags, fitted on the training cut-offs' labels; "
            + "out-of-fold by member on the rows it was fitted on)");

    private final String description;

    Feature(String description) {
        this.description = description;
    }

    public String description() {
        return description;
    }

    public String key() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    public static final int COUNT = values().length;
}
