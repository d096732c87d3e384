package io.memberpulse.rfm.domain.rules;

import io.memberpulse.rfm.domain.LifecycleStage;
import io.memberpulse.rfm.domain.Rfm;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a segment rule can see of a member: the RFM figures, the lifecycle stage, the home store and
 * the default segments. Names are the rule language's variables (documented in the API).
 */
public final class MemberAttributes {
    /** Recency of a member who never bought: far beyond any window, so "recency_days > 30" holds. */
    public static final double NEVER = 36_500;

    private MemberAttributes() {
    }

    public static Map<String, Object> of(Rfm rfm, LifecycleStage stage, Set<String> defaultSegments) {
        Map<String, Object> attributes = new LinkedHashMap<>();
        attributes.put("recency_days", rfm.recencyDays() == null ? NEVER : rfm.recencyDays());
        attributes.put("frequency_7d", (long) rfm.frequency7d());
        attributes.put("frequency_14d", (long) rfm.frequency14d());
        attributes.put("frequency_30d", (long) rfm.frequency30d());
        attributes.put("frequency_90d", (long) rfm.frequency90d());
        attributes.put("weighted_frequency_30d", rfm.weightedFrequency30d());
        attributes.put("weighted_frequency_90d", rfm.weightedFrequency90d());
        attributes.put("monetary_net_30d", rfm.monetaryNet30d());
        attributes.put("monetary_net_90d", rfm.monetaryNet90d());
        attributes.put("monetary_margin_90d", rfm.monetaryMargin90d());
        attributes.put("monetary_net_total", rfm.monetaryNetTotal());
        attributes.put("orders_total", rfm.ordersTotal());
        attributes.put("home_store", rfm.homeStoreId() == null ? "" : rfm.homeStoreId());
        attributes.put("stage", stage == null ? "" : stage.name().toLowerCase(java.util.Locale.ROOT));
        attributes.put("segments", List.copyOf(defaultSegments));
        return attributes;
    }
}
