package io.memberpulse.churn.domain.features;

/**
 * A feature as a store manager reads it: a short label, and the member's value in the label's units (counts and
 * amounts the model reads as log1p are given back as counts and amounts). A switch over every feature: one added to
 * {@link Feature} does not compile until it has its label.
 */
public record FeatureLabel(String text, boolean logScaled) {

    /** The value in the label's units; null when the feature is not defined for the member (NaN). */
    public Double shown(double value) {
        if (!Double.isFinite(value)) {
            return null;
        }
        return logScaled ? Math.expm1(value) : value;
    }

    public static FeatureLabel of(Feature feature) {
        return switch (feature) {
            case RECENCY_DAYS -> plain("days since last purchase");
            case LOG_RECENCY -> log("days since last purchase (log-scaled)");
            case TENURE_DAYS -> plain("days since first purchase");
            case PURCHASE_DAYS -> log("days with a purchase");
            case ORDERS -> log("orders");
            case ORDERS_PER_30_DAYS -> plain("orders per month");
            case NET_SPEND -> log("net spend");
            case AVG_ORDER_VALUE -> log("average order value");
            case LAST_ORDER_VALUE_RATIO -> plain("last order against the average order");
            case DAYS_30 -> log("purchase days, last 30 days");
            case DAYS_90 -> log("purchase days, last 90 days");
            case DAYS_180 -> log("purchase days, last 180 days");
            case SPEND_90 -> log("spend, last 90 days");
            case SPEND_PREV_90 -> log("spend, 90 to 180 days ago");
            case SPEND_TREND -> plain("spend trend (-1 falling .. 1 rising)");
            case FREQUENCY_TREND -> plain("visit frequency trend (-1 falling .. 1 rising)");
            case ACTIVE_MONTHS_SHARE -> plain("share of months with a purchase");
            case GAP_MEAN -> plain("usual days between purchases (mean)");
            case GAP_MEDIAN -> plain("usual days between purchases (median)");
            case GAP_STD -> plain("irregularity of purchase gaps (days)");
            case GAP_CV -> plain("irregularity of purchase gaps (relative)");
            case GAP_LAST -> plain("last gap between purchases (days)");
            case GAP_MAX -> plain("longest gap between purchases (days)");
            case OVERDUE_RATIO -> plain("days since last purchase / usual gap");
            case OVERDUE_Z -> plain("how overdue against the usual gap");
            case RECENCY_OVER_MAX_GAP -> plain("days since last purchase / longest gap");
            case RHYTHM_CHURN -> plain("risk from the member's own rhythm");
            case OWN_RETURN_RATE -> plain("how often the member came back before");
            case PRODUCT_RETURN_RATE -> plain("how often buyers of these products come back");
            case LAST_BASKET_RETURN_RATE -> plain("how often buyers of the last basket come back");
            case CATEGORY_RETURN_RATE -> plain("how often buyers of these categories come back");
            case REFUND_RATE -> plain("share of spend refunded");
            case REFUNDS -> log("refunds");
            case DISTINCT_SKUS -> log("different products bought");
            case SKUS_PER_ORDER -> plain("products per order");
            case REPEAT_SKU_SHARE -> plain("share of lines re-buying a product");
            case CATEGORIES -> plain("categories bought");
            case CATEGORY_ENTROPY -> plain("spread of spend over categories");
            case TOP_CATEGORY_SHARE -> plain("share of lines in the favourite category");
            case ITEMS_PER_ORDER -> log("items per order");
            case AVG_UNIT_PRICE -> log("average price per item");
            case LINES_PER_ORDER -> log("lines per order");
            case CHANNELS -> plain("channels used");
            case TOP_CHANNEL_SHARE -> plain("share of orders in the main channel");
            case STORES -> plain("stores visited");
            case HOME_STORE_SHARE -> plain("share of orders at the home store");
            case HOME_STORE_MEMBERS -> plain("home store's share of all members");
            case HOME_STORE_RETURN_RATE -> plain("how often the home store's buyers come back");
            case WORKING_HOURS_SHARE -> plain("share of orders in working hours");
            case DISCOUNTED_ORDER_SHARE -> plain("share of orders with a discount");
            case DISCOUNT_SHARE -> plain("discounts / gross amount");
            case COUPONS_REDEEMED -> log("coupons redeemed");
            case COUPON_REDEMPTION_RATE -> plain("coupons redeemed / issued");
            case REVIEWS -> log("reviews written");
            case AVG_RATING -> plain("average review rating");
            case REVIEW_SENTIMENT -> plain("review sentiment (-1 .. 1)");
            case STOCKOUT_EXPOSURE_90 -> log("stock-outs met, last 90 days");
            case VISITS_90 -> log("store visits, last 90 days");
            case BGNBD_P_ALIVE -> plain("probability still a customer (BG/NBD)");
            case BGNBD_P_NO_PURCHASE -> plain("probability of no purchase in the horizon (BG/NBD)");
            case DECAYED_DAYS_30 -> log("recent activity (30-day decay)");
            case DECAYED_DAYS_120 -> log("recent activity (120-day decay)");
            case SPEND_30 -> log("spend, last 30 days");
            case GAP_SURVIVAL_CHURN -> plain("chance the current gap outlasts the horizon");
            case SAME_SEASON_LAST_YEAR_DAYS -> log("purchase days in this season last year");
            case SAME_SEASON_SPEND_SHARE -> plain("share of last year's spend in this season");
            case TOUCHES_90 -> log("staff contacts, last 90 days");
            case TREATED_IN_HORIZON -> plain("called by staff in the horizon");
            case PRODUCT_MOMENTUM -> plain("whether the member's products are selling more or less lately");
            case PRODUCT_RECENT_BUYERS -> plain("recent buyers of the member's products (log scale)");
            case RECORDS_TENURE_SHARE -> plain("customer since before the records (1 = yes)");
            case QUANTITY_PER_LINE -> log("items per order line");
            case RECENT_SPEND_SHARE -> plain("share of spend in the last 90 days");
            case RECENT_PRODUCT_RETURN_RATE -> plain("how often buyers of recent products come back");
            case PRODUCT_RETURN_EVIDENCE -> plain("evidence from products' return rates");
            case FIRST_BASKET_RETURN_RATE -> plain("how often members with this first basket came back");
            case PRODUCT_BAG_CHURN -> plain("risk from the products bought (log-odds)");
        };
    }

    private static FeatureLabel plain(String text) {
        return new FeatureLabel(text, false);
    }

    private static FeatureLabel log(String text) {
        return new FeatureLabel(text, true);
    }
}
