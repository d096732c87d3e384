package io.memberpulse.rfm.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class MemberTagsTest {
    static Rfm rfm(int f30, int f90, double m90, double mTotal) {
        return new Rfm("m", Instant.EPOCH, Instant.EPOCH, 3.0, 0, 0, f30, f90, f30, f90, m90 / 3, m90, m90 * 0.3, f90,
                mTotal, "web-france");
    }

    @Test
    void tagsCoverBasicBehaviourValueAndRiskFamilies() {
        var tags = MemberTags.fromRfm(rfm(5, 9, 950, 6_000), LifecycleStage.LOYAL, 0.82);
        assertThat(tags).extracting(Tag::family, Tag::name, Tag::value).contains(
                tuple("basic", "home_store", "web-france"),
                tuple("behaviour", "activity_frequency", "weekly"),
                tuple("behaviour", "spend_band", "900+"),
                tuple("behaviour", "repurchase_cycle_days", "10"),
                tuple("value", "tier", "platinum"),
                tuple("value", "loyalty_score", "100"),
                tuple("risk", "churn_probability", "0.820"),
                tuple("risk", "churn_risk", "high"));
    }

    @Test
    void withoutAScoreThereIsNoRiskTagAndBandsFollowTheThresholds() {
        var tags = MemberTags.fromRfm(rfm(0, 1, 250, 150), LifecycleStage.AT_RISK, null);
        assertThat(tags).extracting(Tag::family).doesNotContain("risk");
        assertThat(tags).extracting(Tag::name, Tag::value).contains(
                tuple("activity_frequency", "quarterly"), tuple("spend_band", "<300"), tuple("tier", "bronze"),
                tuple("loyalty_score", "15"));
        assertThat(tags).extracting(Tag::name).doesNotContain("repurchase_cycle_days");
    }
}
