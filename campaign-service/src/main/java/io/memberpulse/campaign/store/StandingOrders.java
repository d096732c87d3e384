package io.memberpulse.campaign.store;

/**
 * What a purchase is, in SQL, for every query that counts or picks members' orders: an order whose lines net of its
 * refunds are above 0 (rfm-service's Orders.isPurchase; churn-service reads the same). An order refunded in full is
 * none: it converts nobody (campaign results), is no last purchase (the staff card) and makes no home store.
 */
final class StandingOrders {
    /**
     * The order a line of member_purchase mp belongs to: source:order_id, a line without an order_id its own order
     * (by event id); a refund sits under the order CampaignRepository.orderSourceOf finds for it (a delivery order
     * returned at the till).
     */
    static String orderKey() {
        // A method, not a constant: CampaignRepository's statements are built from among() while that class
        // initialises, and a constant here read from it would be null when this class initialised first.
        return " CASE WHEN mp.kind = 'refund' THEN " + CampaignRepository.orderSourceOf("mp")
                + " ELSE mp.source END || ':' || coalesce(mp.order_id, mp.event_id) ";
    }

    private StandingOrders() {
    }

    /**
     * A subquery: one row per order that stands among the order and refund lines that {@code from} and {@code where}
     * select (member_purchase aliased mp), with columns member_id, order_key ({@link #orderKey}) and then
     * {@code columns} (aggregates over the order's lines, each starting with a comma). Refunds count as far as
     * {@code where} lets them; a refund whose order is not among the lines stands for nothing.
     */
    static String among(String columns, String from, String where) {
        return "SELECT mp.member_id, k.order_key" + columns + "\nFROM " + from
                + "\nCROSS JOIN LATERAL (SELECT" + orderKey() + "AS order_key) k"
                + "\nWHERE mp.kind IN ('order', 'refund') AND " + where
                + "\nGROUP BY mp.member_id, k.order_key"
                + "\nHAVING bool_or(mp.kind = 'order') AND sum(mp.amount) > 0\n";
    }
}
