package io.memberpulse.campaign.domain.experiment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.memberpulse.campaign.domain.MemberRisk;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ActivityTest {
    static Activity.Member m(Arm arm, String store, int orders, double revenue, boolean responded) {
        return new Activity.Member(arm, store, orders, revenue, responded);
    }

    @Test
    void liveMonitoringCountsParticipationConversionAndRepurchasePerArmAndStore() {
        List<Activity.Member> members = List.of(
                m(Arm.TREATED, "s1", 2, 100, true), m(Arm.TREATED, "s1", 0, 0, false), m(Arm.TREATED, "s2", 1, 30, true),
                m(Arm.HOLDOUT, "s1", 1, 50, false), m(Arm.HOLDOUT, "s2", 0, 0, false));

        Activity.Live live = Activity.of(members);

        Activity.ArmStats treated = live.overall().treated();
        assertThat(treated.members()).isEqualTo(3);
        assertThat(treated.participationRate()).isEqualTo(2 / 3.0);
        assertThat(treated.conversionRate()).isEqualTo(2 / 3.0);
        assertThat(treated.repurchaseRate()).isEqualTo(1 / 3.0);
        assertThat(treated.averageOrderValue()).isEqualTo(130 / 3.0);
        assertThat(live.overall().conversionUplift().value()).isEqualTo(2 / 3.0 - 1 / 2.0, within(1e-12));
        assertThat(live.stores()).extracting(Activity.StoreArms::storeId).containsExactly("s1", "s2");
        assertThat(live.stores().get(0).arms().treated().members()).isEqualTo(2);
        assertThat(live.stores().get(0).arms().holdout().conversionRate()).isEqualTo(1.0);
    }

    @Test
    void theBeforeAfterReviewMeasuresEachMetricAgainstTheHoldout() {
        List<Activity.Member> before = new ArrayList<>();
        List<Activity.Member> after = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            // Both arms were as active before (20%); during the campaign the treated arm rises to 50%, the holdout stays.
            Arm arm = i < 70 ? Arm.TREATED : Arm.HOLDOUT;
            int index = arm == Arm.TREATED ? i : i - 70;
            int size = arm == Arm.TREATED ? 70 : 30;
            before.add(m(arm, "s", index < size / 5 ? 1 : 0, index < size / 5 ? 100 : 0, false));
            boolean active = arm == Arm.TREATED ? index < size / 2 : index < size / 5;
            after.add(m(arm, "s", active ? 2 : 0, active ? 240 : 0, arm == Arm.TREATED && index < 10));
        }

        BeforeAfter review = BeforeAfter.of(before, after, 2.5);

        BeforeAfter.Metric active = review.metrics().get(0);
        assertThat(active.name()).isEqualTo("active_rate");
        assertThat(active.treatedBefore()).isEqualTo(0.2);
        assertThat(active.treatedAfter()).isEqualTo(0.5);
        assertThat(active.holdoutAfter()).isEqualTo(0.2);
        assertThat(active.uplift().value()).isEqualTo(0.3, within(1e-12));
        assertThat(active.uplift().low()).isPositive();
        assertThat(active.differenceInDifferences()).isEqualTo(0.3, within(1e-12));
        assertThat(review.metrics()).extracting(BeforeAfter.Metric::name)
                .containsExactly("active_rate", "repurchase_rate", "order_value", "response_rate");
        assertThat(review.metrics().get(2).treatedAfter()).isEqualTo(120.0);
        assertThat(review.metrics().get(3).treatedAfter()).isEqualTo(10 / 70.0);
        assertThat(review.roi()).isEqualTo(2.5);
    }

    @Test
    void theOrderValueOfAWindowWithoutOrdersIsNoValue() {
        // The holdout bought nothing before the campaign: its "0" average order value is none, so there is no
        // difference-in-differences (it was (145 − 120) − (130 − 0) = −105), and no uplift while it buys nothing.
        List<Activity.Member> before = List.of(m(Arm.TREATED, "s", 1, 120, false), m(Arm.HOLDOUT, "s", 0, 0, false));
        List<Activity.Member> after = List.of(m(Arm.TREATED, "s", 2, 290, false), m(Arm.HOLDOUT, "s", 1, 130, false));
        BeforeAfter.Metric orderValue = BeforeAfter.of(before, after, 1).metrics().get(2);
        assertThat(orderValue.name()).isEqualTo("order_value");
        assertThat(orderValue.treatedAfter()).isEqualTo(145.0);
        assertThat(orderValue.differenceInDifferences()).isNaN();
        assertThat(orderValue.uplift().value()).isEqualTo(15.0);

        List<Activity.Member> holdoutNeverBuys = List.of(m(Arm.TREATED, "s", 2, 290, false), m(Arm.HOLDOUT, "s", 0, 0, false));
        assertThat(BeforeAfter.of(before, holdoutNeverBuys, 1).metrics().get(2).uplift().value()).isNaN();
        // Both arms ordered in both windows: defined as before.
        List<Activity.Member> bothBefore = List.of(m(Arm.TREATED, "s", 1, 120, false), m(Arm.HOLDOUT, "s", 1, 100, false));
        assertThat(BeforeAfter.of(bothBefore, after, 1).metrics().get(2).differenceInDifferences())
                .isCloseTo((145 - 120) - (130 - 100), within(1e-9));
    }

    /**
     * The review shows each arm's pooled average order value (net revenue over orders); its uplift was the difference
     * of each member's own average (150 − 100 = 50 beside a shown 120 against 100). It is the difference of the
     * values shown, with the delta-method interval of a ratio of sums.
     */
    @Test
    void theOrderValueUpliftIsTheDifferenceOfTheOrderValuesShown() {
        List<Activity.Member> before = List.of(m(Arm.TREATED, "s", 1, 100, false), m(Arm.HOLDOUT, "s", 1, 100, false));
        List<Activity.Member> after = List.of(m(Arm.TREATED, "s", 1, 200, false), m(Arm.TREATED, "s", 4, 400, false),
                m(Arm.HOLDOUT, "s", 1, 100, false), m(Arm.HOLDOUT, "s", 1, 100, false), m(Arm.HOLDOUT, "s", 0, 0, false));
        BeforeAfter.Metric orderValue = BeforeAfter.of(before, after, 1).metrics().get(2);

        assertThat(orderValue.treatedAfter()).isEqualTo(120.0);
        assertThat(orderValue.holdoutAfter()).isEqualTo(100.0);
        assertThat(orderValue.uplift().value()).isCloseTo(orderValue.treatedAfter() - orderValue.holdoutAfter(), within(1e-9));
        // treated residuals 200 − 120 = 80 and 400 − 480 = −80: variance 12,800 / (2 · 1 · 2.5²) = 1,024, se 32; the
        // holdout has none, so 1 degree of freedom (t = 12.706)
        assertThat(orderValue.uplift().low()).isCloseTo(20 - 12.7062 * 32, within(0.01));
        assertThat(orderValue.uplift().high()).isCloseTo(20 + 12.7062 * 32, within(0.01));
        assertThat(orderValue.uplift().significant()).isFalse();
    }

    @Test
    void heldOutMembersOfALiveCallCampaignAreNeverCalledAndNewcomersAreEnrolledByTheStickyHash() {
        Campaign calls = new Campaign("c-calls", "calls", Target.churnRisk(0.5, null), "", "call", "", 0, 0,
                Instant.parse("2025-01-01T00:00:00Z"), Instant.parse("2025-02-01T00:00:00Z"), 0.5, List.of(), CampaignState.LIVE);
        List<MemberRisk> members = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            members.add(new MemberRisk("m" + i, "s", i < 100 ? 0.9 : 0.2, 10, Instant.EPOCH));
        }
        // m0 was enrolled as treated earlier; the stored arm stands.
        CallArms arms = CallArms.of(List.of(calls), members, Map.of("c-calls", Map.of("m0", Arm.TREATED)), (m, s) -> false);

        assertThat(arms.toEnrol()).hasSize(99).allMatch(e -> e.assignment().equals(calls.assign(e.memberId())));
        assertThat(arms.toEnrol()).noneMatch(e -> e.memberId().equals("m0"));
        assertThat(arms.heldOut()).isNotEmpty().allMatch(m -> calls.assign(m).arm() == Arm.HOLDOUT);
        assertThat(arms.treatedCampaign()).containsEntry("m0", "c-calls");
        assertThat(arms.heldOut().size() + arms.treatedCampaign().size()).isEqualTo(100);
    }

    /** A call in the store of a member scored elsewhere or not at all follows that member's arm too. */
    @Test
    void enrolledMembersWhoAreNotAmongTheStoresMembersCountWithTheirArmsAndAreNotEnrolledAgain() {
        Campaign calls = new Campaign("c-calls", "calls", Target.churnRisk(0.5, null), "", "call", "", 0, 0,
                Instant.parse("2025-01-01T00:00:00Z"), Instant.parse("2025-02-01T00:00:00Z"), 0.5, List.of(), CampaignState.LIVE);
        CallArms arms = CallArms.of(List.of(calls), List.of(new MemberRisk("scored", "s", 0.2, 10, Instant.EPOCH)),
                Map.of("c-calls", Map.of("held-elsewhere", Arm.HOLDOUT, "treated-elsewhere", Arm.TREATED)), (m, s) -> false);

        assertThat(arms.toEnrol()).isEmpty();
        assertThat(arms.heldOut()).containsExactly("held-elsewhere");
        assertThat(arms.treatedCampaign()).containsExactly(Map.entry("treated-elsewhere", "c-calls"));
    }
}
