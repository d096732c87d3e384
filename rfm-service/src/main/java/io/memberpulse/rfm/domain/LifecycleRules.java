package io.memberpulse.rfm.domain;

/**
 * Lifecycle stages from RFM, first rule that holds wins: dormant (no purchase for dormantDays), at risk
 * (none for atRiskDays), new (at most one order, or registered and none yet), loyal (loyalOrders90d orders in 90 days and
 * loyalMonetary90d spent), else growing. Thresholds are configuration.
 */
public record LifecycleRules(double dormantDays, double atRiskDays, int loyalOrders90d, double loyalMonetary90d) {

    public static final LifecycleRules DEFAULTS = new LifecycleRules(180, 45, 6, 600);

    public LifecycleRules {
        if (!(atRiskDays > 0)) {
            throw new InvalidThresholdException("lifecycle.at-risk-days", "must be > 0");
        }
        if (!(dormantDays > atRiskDays)) {
            throw new InvalidThresholdException("lifecycle.dormant-days", "must be > lifecycle.at-risk-days (" + atRiskDays + ")");
        }
        if (loyalOrders90d < 2) {
            throw new InvalidThresholdException("lifecycle.loyal-orders-90d", "must be >= 2 (one order is a new member)");
        }
        if (!(loyalMonetary90d >= 0)) {
            throw new InvalidThresholdException("lifecycle.loyal-monetary-90d", "must be >= 0");
        }
    }

    /**
     * The stage; null for a member who neither bought nor registered. A member who registered and never
     * bought is new (DOMAIN.md: "just registered or first purchase") until the days since registering reach
     * at-risk-days, then at risk and dormant by the same thresholds as days since a purchase.
     */
    public LifecycleStage stageOf(Rfm rfm) {
        Double idleDays = rfm.bought() ? rfm.recencyDays()
                : rfm.registeredAt() == null ? null : Rfm.ageDays(rfm.registeredAt(), rfm.asOf());
        if (idleDays == null) {
            return null;
        }
        if (idleDays >= dormantDays) {
            return LifecycleStage.DORMANT;
        }
        if (idleDays >= atRiskDays) {
            return LifecycleStage.AT_RISK;
        }
        if (rfm.ordersTotal() <= 1) {
            return LifecycleStage.NEW;
        }
        if (rfm.frequency90d() >= loyalOrders90d && rfm.monetaryNet90d() >= loyalMonetary90d) {
            return LifecycleStage.LOYAL;
        }
        return LifecycleStage.GROWING;
    }
}
