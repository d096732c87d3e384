package io.memberpulse.rfm.domain.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.memberpulse.rfm.domain.DefaultSegments;
import io.memberpulse.rfm.domain.LifecycleRules;
import io.memberpulse.rfm.domain.LifecycleStage;
import io.memberpulse.rfm.domain.MemberFact;
import io.memberpulse.rfm.domain.MemberHistory;
import io.memberpulse.rfm.domain.PurchaseLine;
import io.memberpulse.rfm.domain.Rfm;
import io.memberpulse.rfm.domain.RfmCalculator;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SegmentRuleCompilerTest {
    final SegmentRuleCompiler compiler = new SegmentRuleCompiler();

    static Rfm rfm(double recency, int f30, int f90, double m90, long orders) {
        return new Rfm("m", Instant.EPOCH, Instant.EPOCH, recency, 0, 0, f30, f90, f30, f90, m90 / 3, m90, m90 * 0.3,
                orders, m90 * 2, "s-1", null);
    }

    @Test
    void numbersCompareAcrossIntAndDoubleAsPeopleWriteThem() {
        Rfm rfm = rfm(30.5, 1, 2, 800, 2);
        var attributes = MemberAttributes.of(rfm, LifecycleStage.GROWING, Set.of());
        assertThat(compiler.compile("recency_days > 30 && monetary_net_90d >= 800").matches(attributes)).isTrue();
        assertThat(compiler.compile("recency_days > 31 || monetary_net_90d > 800").matches(attributes)).isFalse();
        assertThat(compiler.compile("frequency_90d >= 1.5").matches(attributes)).isTrue();
        // Equality stays typed (CEL has no mixed ==): refused on save, with the reason, not a silent false.
        assertThat(compiler.compile("monetary_net_90d == 800.0").matches(attributes)).isTrue();
        assertThatThrownBy(() -> compiler.compile("monetary_net_90d == 800")).isInstanceOf(InvalidRuleException.class)
                .hasMessageContaining("'_==_' applied to '(double, int)'");
    }

    @Test
    void aRuleOverAttributesStageAndSegmentsMatchesTheRightMembers() {
        var rule = compiler.compile("stage == \"loyal\" && monetary_net_90d >= 800 && !(\"churn-edge\" in segments)");
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
    void aRegexThatDoesNotCompileIsRefusedOnSaveWithItsPosition() {
        assertThatThrownBy(() -> compiler.compile("orders_total > 0 &&\n home_store.matches(\"[\")"))
                .isInstanceOfSatisfying(InvalidRuleException.class, e -> {
                    assertThat(e.line()).isEqualTo(2);
                    assertThat(e.column()).isEqualTo(21); // the pattern literal
                    assertThat(e.getMessage()).contains("invalid regular expression").contains("[");
                });
        assertThatThrownBy(() -> compiler.compile("matches(home_store, \"a(b\")")).isInstanceOf(InvalidRuleException.class);
    }

    @Test
    void aRegexTooLargeToEvaluatePerMemberIsRefusedOnSave() {
        // Half a second per member evaluation when accepted: CEL compiles the pattern on every evaluation.
        assertThatThrownBy(() -> compiler.compile("home_store.matches(\"((a{1000}){1000})\")"))
                .isInstanceOfSatisfying(InvalidRuleException.class, e -> {
                    assertThat(e.column()).isEqualTo(20);
                    assertThat(e.getMessage()).contains("too large");
                });
        assertThatThrownBy(() -> compiler.compile("home_store.matches(tags[\"pattern\"])"))
                .isInstanceOfSatisfying(InvalidRuleException.class,
                        e -> assertThat(e.getMessage()).contains("must be a string literal"));
        var ordinary = compiler.compile("home_store.matches(\"^s-[0-9]{1,6}$\")");
        assertThat(ordinary.matches(MemberAttributes.of(rfm(1, 1, 1, 1, 1), LifecycleStage.NEW, Set.of()))).isTrue();
    }

    @Test
    void aStageOrSegmentNoMemberCanBeInIsRefusedNamingTheKnownOnes() {
        // The stage attribute is "at_risk"; "at-risk" is only in its segment id, stage:at-risk. Accepted, it never matched.
        assertThatThrownBy(() -> compiler.compile("orders_total > 0 && stage == \"at-risk\""))
                .isInstanceOfSatisfying(InvalidRuleException.class, e -> {
                    assertThat(e.column()).isEqualTo(30);
                    assertThat(e.getMessage()).contains("\"at-risk\"").contains("new, growing, loyal, at_risk, dormant");
                });
        assertThatThrownBy(() -> compiler.compile("\"Loyal\" != stage")).isInstanceOf(InvalidRuleException.class);
        assertThatThrownBy(() -> compiler.compile("stage in [\"loyal\", \"dormnat\"]"))
                .isInstanceOfSatisfying(InvalidRuleException.class, e -> assertThat(e.getMessage()).contains("\"dormnat\""));
        // segments holds the default segments only: a stage or a rule segment in it never matched either.
        assertThatThrownBy(() -> compiler.compile("\"stage:at-risk\" in segments"))
                .isInstanceOfSatisfying(InvalidRuleException.class, e -> {
                    assertThat(e.column()).isEqualTo(1);
                    assertThat(e.getMessage()).contains("high-value-active, potential, churn-edge");
                });
        var atRiskOnTheEdge = compiler.compile("stage == \"at_risk\" && \"churn-edge\" in segments && stage in [\"at_risk\"]");
        Rfm fading = rfm(50, 0, 1, 50, 5);
        assertThat(atRiskOnTheEdge.matches(MemberAttributes.of(fading, LifecycleRules.DEFAULTS.stageOf(fading),
                Set.of(DefaultSegments.CHURN_EDGE)))).isTrue();
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
        assertThat(rules.stageOf(new Rfm("m", Instant.EPOCH, null, null, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, null, null))).isNull();
    }

    @Test
    void aMemberWhoRegisteredAndNeverBoughtIsNewThenAtRiskThenDormantByTheDaysSinceRegistering() {
        Instant registered = Instant.parse("2024-01-01T08:00:00Z");
        var register = new MemberFact(MemberFact.Kind.REGISTER, registered, "s-9", null, 0, null, null, null, null);
        var visit = new MemberFact(MemberFact.Kind.VISIT, registered.minusSeconds(3_600), "s-1", null, 0, null, null, null, null);
        var history = new MemberHistory(List.of(), List.of(visit, register), null);
        RfmCalculator calculator = new RfmCalculator(0.3);
        LifecycleRules rules = LifecycleRules.DEFAULTS;

        Rfm justJoined = calculator.compute("m", history, registered.plusSeconds(60));
        assertThat(justJoined.bought()).isFalse();
        assertThat(justJoined.registeredAt()).isEqualTo(registered);
        assertThat(justJoined.homeStoreId()).as("the store registered in").isEqualTo("s-9");
        assertThat(rules.stageOf(justJoined)).isEqualTo(LifecycleStage.NEW);
        assertThat(DefaultSegments.DEFAULTS.of(justJoined)).as("no purchase: in no RFM segment").isEmpty();
        var welcome = new SegmentRuleCompiler().compile("orders_total == 0 && days_since_registration < 7");
        assertThat(welcome.matches(MemberAttributes.of(justJoined, LifecycleStage.NEW, Set.of(), history, ZoneOffset.UTC))).isTrue();
        Rfm weekLater = calculator.compute("m", history, registered.plus(Duration.ofDays(7)));
        assertThat(welcome.matches(MemberAttributes.of(weekLater, LifecycleStage.NEW, Set.of(), history, ZoneOffset.UTC))).isFalse();
        assertThat(welcome.matches(MemberAttributes.of(rfm(2, 0, 0, 0, 0), LifecycleStage.NEW, Set.of())))
                .as("no registration known").isFalse();
        assertThat(rules.stageOf(calculator.compute("m", history, registered.plus(Duration.ofDays(45)))))
                .isEqualTo(LifecycleStage.AT_RISK);
        assertThat(rules.stageOf(calculator.compute("m", history, registered.plus(Duration.ofDays(180)))))
                .isEqualTo(LifecycleStage.DORMANT);
        // Before registering, nothing is known: no row, no stage.
        assertThat(history.hasRow(registered.minusSeconds(1))).isFalse();
        assertThat(rules.stageOf(calculator.compute("m", history, registered.minusSeconds(1)))).isNull();
        // A first purchase makes the purchases decide: one order is new whatever the registration's age.
        var bought = new MemberHistory(List.of(new PurchaseLine("o1", PurchaseLine.Kind.ORDER,
                registered.plus(Duration.ofDays(100)), "s-2", 30, null, 0, null)), List.of(register), null);
        Rfm firstOrder = calculator.compute("m", bought, registered.plus(Duration.ofDays(101)));
        assertThat(rules.stageOf(firstOrder)).isEqualTo(LifecycleStage.NEW);
        assertThat(firstOrder.homeStoreId()).isEqualTo("s-2");
        assertThat(firstOrder.registeredAt()).isEqualTo(registered);
    }
}
