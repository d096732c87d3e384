package io.memberpulse.rfm.domain.rules;

import static org.assertj.core.api.Assertions.assertThat;

import io.memberpulse.rfm.domain.DefaultSegments;
import io.memberpulse.rfm.domain.LifecycleRules;
import io.memberpulse.rfm.domain.MemberFact;
import io.memberpulse.rfm.domain.MemberHistory;
import io.memberpulse.rfm.domain.PurchaseLine;
import io.memberpulse.rfm.domain.Rfm;
import io.memberpulse.rfm.domain.RfmCalculator;
import io.memberpulse.rfm.domain.RfmSnapshot;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

class SegmentMembershipTest {
    static final Instant AS_OF = Instant.parse("2024-06-30T00:00:00Z");
    static final SegmentRuleCompiler COMPILER = new SegmentRuleCompiler();

    /** A member who bought {@code recency} days ago (null: never), each order at the default margin rate. */
    static Rfm rfm(Double recency, int orders30d, double monetary30d, int orders90d, double monetary90d, long ordersTotal) {
        return new Rfm("m", AS_OF, recency == null ? null : AS_OF, recency, 0, 0, orders30d, orders90d, orders30d,
                orders90d, monetary30d, monetary90d, 0, ordersTotal, monetary90d, "s-1", null);
    }

    static DefinedSegment rule(String id, String expression) {
        return new DefinedSegment(id, id, COMPILER.compile(expression));
    }

    static SegmentMembership membership(DefaultSegments defaults, LifecycleRules lifecycle, DefinedSegment... rules) {
        return new SegmentMembership(defaults, lifecycle, List.of(rules), ZoneOffset.UTC);
    }

    @Test
    void theDefaultSegmentsAreJudgedByTheThresholdsInForce() {
        Rfm best = rfm(3.0, 5, 700, 5, 700, 5);
        assertThat(membership(DefaultSegments.DEFAULTS, LifecycleRules.DEFAULTS).segmentsOf(best, MemberHistory.EMPTY))
                .containsExactly(DefaultSegments.HIGH_VALUE_ACTIVE, "stage:growing");
        DefaultSegments sixOrders = DefaultSegments.DEFAULTS.withThresholds(DefaultSegments.HIGH_VALUE_ACTIVE, 6, 6, 700);
        assertThat(membership(sixOrders, LifecycleRules.DEFAULTS).segmentsOf(best, MemberHistory.EMPTY))
                .containsExactly(DefaultSegments.POTENTIAL, "stage:growing");
        Rfm fading = rfm(20.0, 1, 200, 1, 200, 3);
        assertThat(membership(DefaultSegments.DEFAULTS, LifecycleRules.DEFAULTS).segmentsOf(fading, MemberHistory.EMPTY))
                .containsExactly(DefaultSegments.CHURN_EDGE, "stage:growing");
    }

    @Test
    void theLifecycleStageIsJudgedByTheLifecycleRulesInForce() {
        Rfm loyal = rfm(3.0, 2, 300, 6, 600, 6); // too few orders within 30 days for any default segment
        assertThat(membership(DefaultSegments.DEFAULTS, LifecycleRules.DEFAULTS).segmentsOf(loyal, MemberHistory.EMPTY))
                .containsExactly("stage:loyal");
        LifecycleRules atRiskAfterTwoDays = new LifecycleRules(180, 2, 6, 600);
        assertThat(membership(DefaultSegments.DEFAULTS, atRiskAfterTwoDays).segmentsOf(loyal, MemberHistory.EMPTY))
                .containsExactly("stage:at-risk");
        Rfm nobody = rfm(null, 0, 0, 0, 0, 0); // neither bought nor registered: no stage
        assertThat(membership(DefaultSegments.DEFAULTS, LifecycleRules.DEFAULTS, rule("all", "orders_total >= 0"))
                .segmentsOf(nobody, MemberHistory.EMPTY)).containsExactly("all");
    }

    @Test
    void aRuleSeesTheDefaultSegmentsAndStageAndItsSegmentsFollowThemInOrder() {
        var membership = membership(DefaultSegments.DEFAULTS, LifecycleRules.DEFAULTS,
                rule("vip", "stage == \"loyal\" && \"high-value-active\" in segments && monetary_net_90d >= 800"),
                rule("big-month", "monetary_net_30d >= 700"));
        Rfm richLoyal = rfm(3.0, 6, 800, 8, 900, 20);
        assertThat(membership.segmentsOf(richLoyal, MemberHistory.EMPTY))
                .containsExactly(DefaultSegments.HIGH_VALUE_ACTIVE, "stage:loyal", "vip", "big-month");
        Rfm loyalNotActive = rfm(3.0, 2, 300, 8, 900, 20);
        assertThat(membership.segmentsOf(loyalNotActive, MemberHistory.EMPTY)).containsExactly("stage:loyal");
    }

    /**
     * A rule reading a tag the member does not have fails to evaluate for them (CEL: no such key): they are in
     * neither that segment nor its opposite, and every other segment is judged as usual.
     */
    @Test
    void aRuleThatFailsToEvaluateForAMemberLeavesThemOutOfThatSegmentOnly() {
        var membership = membership(DefaultSegments.DEFAULTS, LifecycleRules.DEFAULTS,
                rule("outside-east", "tags[\"region\"] != \"华东\""),
                rule("east", "tags[\"region\"] == \"华东\""),
                rule("big-month", "monetary_net_30d >= 700"));
        Rfm best = rfm(3.0, 5, 700, 5, 700, 5);
        assertThat(membership.segmentsOf(best, MemberHistory.EMPTY)).as("no region tag")
                .containsExactly(DefaultSegments.HIGH_VALUE_ACTIVE, "stage:growing", "big-month");
        var hangzhou = new MemberFact(MemberFact.Kind.REGISTER, AS_OF.minusSeconds(86_400), null, null, 0, null, "F", null,
                "杭州");
        assertThat(membership.segmentsOf(best, new MemberHistory(List.of(), List.of(hangzhou), null)))
                .containsExactly(DefaultSegments.HIGH_VALUE_ACTIVE, "stage:growing", "east", "big-month");
    }

    @Test
    void aMembersRowAtAClockIsTheirRfmThenAndTheSegmentsItPutsThemIn() {
        var lines = List.of(new PurchaseLine("o1", PurchaseLine.Kind.ORDER, AS_OF.minus(Duration.ofDays(3)), "s-1", 800, null,
                0, "dairy/milk"));
        var history = new MemberHistory(lines, List.of(), null);
        var membership = membership(DefaultSegments.DEFAULTS, LifecycleRules.DEFAULTS, rule("big", "monetary_net_30d >= 700"));
        RfmCalculator calculator = new RfmCalculator(0.3);

        RfmSnapshot now = membership.rowAt(calculator, "m", history, AS_OF);
        assertThat(now.rfm().asOf()).isEqualTo(AS_OF);
        assertThat(now.rfm().recencyDays()).isEqualTo(3.0);
        assertThat(now.segments()).containsExactly("stage:new", "big");

        RfmSnapshot later = membership.rowAt(calculator, "m", history, AS_OF.plus(Duration.ofDays(200)));
        assertThat(later.rfm().recencyDays()).isEqualTo(203.0);
        assertThat(later.segments()).as("the order is out of the 30 days").containsExactly("stage:dormant");
    }
}
