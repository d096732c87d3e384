package io.memberpulse.rfm.domain.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.memberpulse.rfm.domain.LifecycleRules;
import io.memberpulse.rfm.domain.LifecycleStage;
import io.memberpulse.rfm.domain.MemberFact;
import io.memberpulse.rfm.domain.MemberHistory;
import io.memberpulse.rfm.domain.PurchaseLine;
import io.memberpulse.rfm.domain.Rfm;
import io.memberpulse.rfm.domain.RfmCalculator;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SegmentRuleCompilerTest {
    final SegmentRuleCompiler compiler = new SegmentRuleCompiler();

    static Rfm rfm(double recency, int f30, int f90, double m90, long orders) {
        return new Rfm("m", Instant.EPOCH, Instant.EPOCH, recency, 0, 0, f30, f90, f30, f90, m90 / 3, m90, m90 * 0.3,
                orders, m90 * 2, "s-1");
    }

    @Test
    void aRuleOverAttributesStageAndSegmentsMatchesTheRightMembers() {
        var rule = compiler.compile("stage == \"loyal\" && monetary_net_90d >= 800.0 && !(\"churn-edge\" in segments)");
        Rfm loyalRich = rfm(3, 4, 8, 900, 20);
        assertThat(rule.matches(MemberAttributes.of(loyalRich, LifecycleRules.DEFAULTS.stageOf(loyalRich), Set.of())))
                .isTrue();
        assertThat(rule.matches(MemberAttributes.of(loyalRich, LifecycleStage.LOYAL, Set.of("churn-edge")))).isFalse();
        Rfm loyalModest = rfm(3, 4, 8, 700, 20);
        assertThat(rule.matches(MemberAttributes.of(loyalModest, LifecycleStage.LOYAL, Set.of()))).isFalse();
    }

    @Test
    void rulesSeeTagsCategoriesAndFeedbackCounts() {
        var rule = compiler.compile("tags[\"region\"] == \"华东\" && \"dairy/yogurt\" in categories && complaints == 0"
                + " && churn_probability < 0.5");
        var slipping = compiler.compile("negative_reviews_90d >= 1 || (\"age_band\" in tags && tags[\"age_band\"] == \"<18\")");
        Instant now = Instant.parse("2024-06-30T00:00:00Z");
        var lines = List.of(new PurchaseLine("o1", PurchaseLine.Kind.ORDER, now.minusSeconds(3_600), "s-1", 30, null, 0,
                "dairy/yogurt/greek"));
        Rfm rfm = new RfmCalculator(0.3).compute("m", lines, now);
        var hangzhou = new MemberFact(MemberFact.Kind.REGISTER, now.minusSeconds(86_400), null, null, 0, null, "F", null, "杭州");
        var complaint = new MemberFact(MemberFact.Kind.REVIEW, now.minusSeconds(60), null, null, 1, "送错了一件商品", null, null, null);

        var happy = MemberAttributes.of(rfm, LifecycleStage.NEW, Set.of(), new MemberHistory(lines, List.of(hangzhou), 0.2), ZoneOffset.UTC);
        var unhappy = MemberAttributes.of(rfm, LifecycleStage.NEW, Set.of(), new MemberHistory(lines, List.of(hangzhou, complaint), 0.2), ZoneOffset.UTC);
        var unscored = MemberAttributes.of(rfm, LifecycleStage.NEW, Set.of(), new MemberHistory(lines, List.of(), null), ZoneOffset.UTC);
        assertThat(rule.matches(happy)).isTrue();
        assertThat(rule.matches(unhappy)).isFalse();
        assertThat(rule.matches(unscored)).as("no region tag: a missing key does not match").isFalse();
        assertThat(slipping.matches(unhappy)).isTrue();
        assertThat(slipping.matches(happy)).isFalse();
        assertThat(unscored.get("churn_probability")).isEqualTo(MemberAttributes.UNSCORED);
        // "Low risk" without churn_scored would take in everyone churn-service has not scored yet.
        var lowRisk = compiler.compile("churn_scored && churn_probability < 0.3");
        assertThat(compiler.compile("churn_probability < 0.3").matches(unscored)).isTrue();
        assertThat(lowRisk.matches(unscored)).isFalse();
        assertThat(lowRisk.matches(happy)).isTrue();
    }

    @Test
    void aTypeErrorIsRefusedWithItsPositionAndReason() {
        assertThatThrownBy(() -> compiler.compile("frequency_30d > 2 && monetary_net_90d > \"a lot\""))
                .isInstanceOfSatisfying(InvalidRuleException.class, e -> {
                    assertThat(e.line()).isEqualTo(1);
                    assertThat(e.column()).isGreaterThan(20);
                    assertThat(e.getMessage()).containsIgnoringCase("overload");
                });
        assertThatThrownBy(() -> compiler.compile("recency_dayz < 7.0"))
                .isInstanceOfSatisfying(InvalidRuleException.class, e -> {
                    assertThat(e.column()).isEqualTo(1);
                    assertThat(e.getMessage()).contains("recency_dayz");
                });
        assertThatThrownBy(() -> compiler.compile("orders_total"))
                .isInstanceOf(InvalidRuleException.class);
    }

    @Test
    void aSyntaxErrorOnALaterLineNamesThatLine() {
        assertThatThrownBy(() -> compiler.compile("orders_total > 3 &&\n  (stage == \"new\""))
                .isInstanceOfSatisfying(InvalidRuleException.class, e -> assertThat(e.line()).isEqualTo(2));
    }

    @Test
    void aRuleThatFailsAtRunTimeDoesNotMatch() {
        var rule = compiler.compile("100 / (orders_total - orders_total) > 1");
        assertThat(rule.matches(MemberAttributes.of(rfm(1, 1, 1, 1, 3), LifecycleStage.GROWING, Set.of()))).isFalse();
    }

    @Test
    void lifecycleStagesFollowTheirRules() {
        LifecycleRules rules = LifecycleRules.DEFAULTS;
        assertThat(rules.stageOf(rfm(200, 0, 0, 0, 5))).isEqualTo(LifecycleStage.DORMANT);
        assertThat(rules.stageOf(rfm(50, 0, 1, 50, 5))).isEqualTo(LifecycleStage.AT_RISK);
        assertThat(rules.stageOf(rfm(2, 1, 1, 50, 1))).isEqualTo(LifecycleStage.NEW);
        assertThat(rules.stageOf(rfm(2, 3, 6, 600, 9))).isEqualTo(LifecycleStage.LOYAL);
        assertThat(rules.stageOf(rfm(2, 2, 3, 300, 4))).isEqualTo(LifecycleStage.GROWING);
        assertThat(rules.stageOf(new Rfm("m", Instant.EPOCH, null, null, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, null))).isNull();
    }
}
