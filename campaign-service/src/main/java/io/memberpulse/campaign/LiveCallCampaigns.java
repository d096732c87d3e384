package io.memberpulse.campaign;

import io.memberpulse.campaign.domain.MemberRisk;
import io.memberpulse.campaign.domain.experiment.CallArms;
import io.memberpulse.campaign.domain.experiment.Campaign;
import io.memberpulse.campaign.store.CampaignRepository;
import io.memberpulse.campaign.store.MemberSegmentRepository;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.stream.Stream;

/**
 * The arms of a store's members in the live call campaigns, enrolling members who newly meet a target (unless another
 * call campaign overlapping that one enrolled them first: CallArms), and of the members whose calls the store holds
 * though they are scored elsewhere or not at all.
 */
@ApplicationScoped
class LiveCallCampaigns {
    private final CampaignRepository campaigns;
    private final MemberSegmentRepository segments;

    LiveCallCampaigns(CampaignRepository campaigns, MemberSegmentRepository segments) {
        this.campaigns = campaigns;
        this.segments = segments;
    }

    /** Within the caller's session. */
    Uni<CallArms> arms(List<MemberRisk> members, Instant now) {
        return arms(members, List.of(), now);
    }

    /**
     * Within the caller's session.
     *
     * @param alsoEnrolled members besides {@code members} whose arms count if they are enrolled (a store's calls of
     *                     members scored elsewhere or not at all); none of them is enrolled here
     */
    Uni<CallArms> arms(List<MemberRisk> members, Collection<String> alsoEnrolled, Instant now) {
        return campaigns.liveCalls().flatMap(live -> live.isEmpty() || (members.isEmpty() && alsoEnrolled.isEmpty())
                ? Uni.createFrom().item(CallArms.NONE)
                : arms(live, members, alsoEnrolled, now));
    }

    private Uni<CallArms> arms(List<Campaign> live, List<MemberRisk> members, Collection<String> alsoEnrolled, Instant now) {
        List<String> memberIds = members.stream().map(MemberRisk::memberId).toList();
        List<String> asked = Stream.concat(memberIds.stream(), alsoEnrolled.stream()).distinct().toList();
        List<String> segmentIds = live.stream().filter(c -> c.target().targetsSegment()).map(c -> c.target().segmentId()).toList();
        List<String> liveIds = live.stream().map(Campaign::id).toList();
        // Segments first: the enrolment step holds the lock that serialises call-campaign enrolment, briefly.
        return segments.memberships(memberIds, segmentIds)
                .flatMap(memberships -> campaigns.enrolCalls(liveIds, asked, memberIds, now,
                        (enrolled, elsewhere) -> CallArms.of(live, members, enrolled, elsewhere,
                                (member, segment) -> memberships.contains(MemberSegmentRepository.key(member, segment)))));
    }
}
