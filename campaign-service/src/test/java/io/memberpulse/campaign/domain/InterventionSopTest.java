package io.memberpulse.campaign.domain;

import static io.memberpulse.campaign.domain.testdata.Members.member;
import static io.memberpulse.campaign.domain.testdata.Members.store;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.memberpulse.campaign.domain.testdata.Tasks;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class InterventionSopTest {
    private final InterventionSop sop = new InterventionSop(0.10, 0.5);

    @ParameterizedTest(name = "{0} members -> {1} calls")
    @CsvSource({"0, 0", "1, 1", "5, 1", "10, 1", "11, 2", "20, 2", "30, 3", "31, 4", "70, 7", "100, 10", "1000, 100"})
    void theQuotaIsTheShareRoundedUpAndAtLeastOne(int members, int quota) {
        assertThat(sop.quota(members)).isEqualTo(quota);
    }

    @Test
    void aZeroShareStillCallsTheRiskiestEligibleMember() {
        InterventionSop none = new InterventionSop(0.0, 0.5);
        assertThat(none.quota(50)).isEqualTo(1);
        assertThat(none.select(List.of(member("a", 0.9), member("b", 0.95))))
                .extracting(MemberRisk::memberId).containsExactly("b");
    }

    @Test
    void theRiskiestTenPercentAreSelectedRiskiestFirst() {
        List<MemberRisk> members = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            members.add(member("m" + i, 0.5 + i / 100.0));
        }
        Collections.shuffle(members);
        assertThat(sop.select(members)).extracting(MemberRisk::memberId).containsExactly("m29", "m28", "m27");
    }

    @Test
    void aTinyStoreGetsOneCallForItsRiskiestMember() {
        assertThat(sop.select(List.of(member("a", 0.6), member("b", 0.8), member("c", 0.7))))
                .extracting(MemberRisk::memberId).containsExactly("b");
        assertThat(sop.select(List.of(member("solo", 0.51)))).extracting(MemberRisk::memberId).containsExactly("solo");
    }

    @Test
    void nobodyUnderTheFloorIsCalledEvenInsideTheShare() {
        List<MemberRisk> members = new ArrayList<>(store(18, 0.1));
        members.add(member("risky", 0.9));
        members.add(member("mild", 0.49));
        // 20 members: two calls, but the second riskiest is under 0.5.
        assertThat(sop.select(members)).extracting(MemberRisk::memberId).containsExactly("risky");
        assertThat(sop.select(store(10, 0.3))).isEmpty();
    }

    @Test
    void theFloorItselfIsEligible() {
        assertThat(sop.select(List.of(member("edge", 0.5)))).hasSize(1);
    }

    @Test
    void tiesGoToTheLargerValueThenToTheSmallerId() {
        List<MemberRisk> members = new ArrayList<>(store(17, 0.2));
        members.add(member("z-rich", 0.8, 500.0));
        members.add(member("b-poor", 0.8, 50.0));
        members.add(member("a-poor", 0.8, 50.0));
        // 20 members, two calls among three tied at 0.8.
        assertThat(sop.select(members)).extracting(MemberRisk::memberId).containsExactly("z-rich", "a-poor");
    }

    @Test
    void theSelectionDoesNotDependOnInputOrder() {
        List<MemberRisk> members = new ArrayList<>(store(25, 0.7));
        List<String> first = sop.select(members).stream().map(MemberRisk::memberId).toList();
        Collections.reverse(members);
        assertThat(sop.select(members)).extracting(MemberRisk::memberId).containsExactlyElementsOf(first);
        assertThat(first).containsExactly("m01", "m02", "m03");
    }

    @Test
    void sharesAndFloorsOutsideZeroToOneAreRefused() {
        assertThatThrownBy(() -> new InterventionSop(1.5, 0.5)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new InterventionSop(0.1, -0.1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new InterventionSop(Double.NaN, 0.5)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aMemberCoolingDownAfterAContactGivesTheSlotToTheNextRiskiest() {
        InterventionSop sop = new InterventionSop(0.10, 0.5);
        List<MemberRisk> members = List.of(member("called", 0.95), member("next", 0.9), member("third", 0.85),
                member("d", 0.1), member("e", 0.1), member("f", 0.1), member("g", 0.1), member("h", 0.1),
                member("i", 0.1), member("j", 0.1), member("k", 0.1), member("l", 0.1));
        assertThat(sop.select(members)).extracting(MemberRisk::memberId).containsExactly("called", "next");
        assertThat(sop.select(members, java.util.Set.of("called"))).extracting(MemberRisk::memberId)
                .containsExactly("next", "third");
    }

    @Test
    void anUnreachableTopMemberGivesTheSlotToTheNextReachableMember() {
        // 10 scored members: one call. The riskiest has neither a phone staff can dial nor a member number.
        List<MemberRisk> members = new ArrayList<>(store(8, 0.1));
        members.add(member("unreachable", 0.95));
        members.add(member("reachable", 0.9));
        TaskPlan plan = sop.plan(members, Set.of("unreachable"), Set.of(), List.of(), Tasks.OPENED);
        assertThat(plan.toOpen()).extracting(MemberRisk::memberId).containsExactly("reachable");
        assertThat(sop.passedOverUnreachable(members, Set.of("unreachable"), Set.of())).containsExactly("unreachable");
    }

    @Test
    void theQuotaIsCountedOverAllScoredMembersReachableOrNot() {
        // 11 scored members: two calls (over the 9 reachable it would be one); both go to reachable members.
        List<MemberRisk> members = new ArrayList<>(store(6, 0.1));
        members.add(member("u1", 0.95));
        members.add(member("u2", 0.93));
        members.add(member("r1", 0.9));
        members.add(member("r2", 0.85));
        members.add(member("r3", 0.8));
        TaskPlan plan = sop.plan(members, Set.of("u1", "u2"), Set.of(), List.of(), Tasks.OPENED);
        assertThat(plan.toOpen()).extracting(MemberRisk::memberId).containsExactly("r1", "r2");
        assertThat(sop.passedOverUnreachable(members, Set.of("u1", "u2"), Set.of())).containsExactly("u1", "u2");
    }

    @Test
    void anUnreachableMembersTaskStaysUntilDueAndIsNotCountedAsPassedOverWhenSkipped() {
        List<MemberRisk> members = new ArrayList<>(store(8, 0.1));
        members.add(member("lost-phone", 0.95));
        members.add(member("reachable", 0.9));
        OpenTask call = Tasks.open("t-1", "lost-phone", 0.95, 100.0);
        // A call opened before the member became unreachable: kept until due (staff may be on it), the slot opened anew.
        TaskPlan plan = sop.plan(members, Set.of("lost-phone"), Set.of(), List.of(call), Tasks.OPENED.plusSeconds(60));
        assertThat(plan.toOpen()).extracting(MemberRisk::memberId).containsExactly("reachable");
        assertThat(plan.toCancel()).isEmpty();
        assertThat(sop.plan(members, Set.of("lost-phone"), Set.of(), List.of(call), Tasks.DUE.plusSeconds(60)).toCancel())
                .containsExactly(call);
        // Skipped for another reason (cooling down): the SOP would not have called them anyway.
        assertThat(sop.passedOverUnreachable(members, Set.of("lost-phone"), Set.of("lost-phone"))).isEmpty();
    }
}
