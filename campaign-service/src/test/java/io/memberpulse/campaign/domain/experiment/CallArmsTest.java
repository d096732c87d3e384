package io.memberpulse.campaign.domain.experiment;

import static org.assertj.core.api.Assertions.assertThat;

import io.memberpulse.campaign.domain.MemberRisk;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Overlapping live call campaigns: a member is enrolled in the first that takes them, excluded from the others. */
class CallArmsTest {
    private static Campaign calls(String id) {
        return new Campaign(id, id, Target.churnRisk(0.5, null), "", "call", "", 0, 0,
                Instant.parse("2025-01-01T00:00:00Z"), Instant.parse("2025-02-01T00:00:00Z"), 0.5, List.of(),
                CampaignState.LIVE);
    }

    @Test
    void aMemberMeetingTwoLiveCallCampaignsAtOnceIsEnrolledInTheFirstAndExcludedFromTheSecond() {
        Campaign first = calls("c-first");
        Campaign second = calls("c-second");
        List<MemberRisk> members = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            members.add(new MemberRisk("m" + i, "s", 0.9, 10, Instant.EPOCH));
        }
        CallArms arms = CallArms.of(List.of(first, second), members, Map.of(), Map.of(), (m, s) -> false);

        assertThat(arms.toEnrol()).hasSize(50).allMatch(e -> e.campaignId().equals("c-first"));
        assertThat(arms.toExclude()).hasSize(50)
                .allMatch(e -> e.campaignId().equals("c-second") && e.enrolledIn().equals("c-first"));
        // Their arms are the first's alone: held out there, or treated with their calls counting for it.
        assertThat(arms.heldOut()).isNotEmpty().allMatch(m -> first.assign(m).arm() == Arm.HOLDOUT);
        assertThat(arms.treatedCampaign()).isNotEmpty().allSatisfy((m, c) -> assertThat(c).isEqualTo("c-first"));
        assertThat(arms.heldOut().size() + arms.treatedCampaign().size()).isEqualTo(50);
    }

    @Test
    void aMemberEnrolledInAnOverlappingCallCampaignIsNotEnrolledAgain() {
        Campaign second = calls("c-second");
        List<MemberRisk> members = List.of(new MemberRisk("in-ended", "s", 0.9, 10, Instant.EPOCH),
                new MemberRisk("free", "s", 0.9, 10, Instant.EPOCH));
        CallArms arms = CallArms.of(List.of(second), members, Map.of(),
                Map.of("c-second", Map.of("in-ended", "c-ended")), (m, s) -> false);

        assertThat(arms.toEnrol()).extracting(CallArms.Enrolment::memberId).containsExactly("free");
        assertThat(arms.toExclude()).containsExactly(new CallArms.Exclusion("c-second", "in-ended", "c-ended"));
        assertThat(arms.heldOut()).doesNotContain("in-ended");
        assertThat(arms.treatedCampaign()).doesNotContainKey("in-ended");
    }

    @Test
    void anEntryExcludesAMemberAnOverlappingCampaignHasAndEnrolsAnyoneElseByTheStickyHash() {
        Campaign campaign = calls("c-live");
        assertThat(CallArms.entry(campaign, "taken", "s", "c-other"))
                .isEqualTo(new CallArms.Exclusion("c-live", "taken", "c-other"));
        assertThat(CallArms.entry(campaign, "free", "s", null))
                .isEqualTo(new CallArms.Enrolment("c-live", "free", "s", campaign.assign("free")));
    }
}
