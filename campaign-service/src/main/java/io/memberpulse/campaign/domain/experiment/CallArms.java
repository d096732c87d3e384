package io.memberpulse.campaign.domain.experiment;

import io.memberpulse.campaign.domain.MemberRisk;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiPredicate;

/**
 * How live call campaigns bear on a store's call tasks: members in a campaign's holdout are never
 * called (or the holdout would measure nothing), treated members' calls count for the campaign. A
 * member who comes to meet a live campaign's target is enrolled then, by the same sticky hash.
 *
 * @param toEnrol         members meeting a live campaign's target who are not enrolled yet
 * @param heldOut         members held out of at least one live call campaign
 * @param treatedCampaign the live call campaign a treated member's call counts for
 */
public record CallArms(List<Enrolment> toEnrol, Set<String> heldOut, Map<String, String> treatedCampaign) {
    public static final CallArms NONE = new CallArms(List.of(), Set.of(), Map.of());

    public CallArms {
        toEnrol = List.copyOf(toEnrol);
        heldOut = Set.copyOf(heldOut);
        treatedCampaign = Map.copyOf(treatedCampaign);
    }

    public record Enrolment(String campaignId, String memberId, String storeId, Assignment assignment) {
    }

    /**
     * @param members   the members to enrol where they newly meet a live campaign's target
     * @param enrolled  campaign id → member id → arm, for these members and any other the caller asks about (a
     *                  member with a call in the store who is scored elsewhere or not at all): every enrolled
     *                  member's arm counts, whoever is enrolled here
     * @param inSegment whether a member (first) is in a segment (second) now
     */
    public static CallArms of(List<Campaign> liveCalls, List<MemberRisk> members, Map<String, Map<String, Arm>> enrolled,
            BiPredicate<String, String> inSegment) {
        List<Enrolment> toEnrol = new ArrayList<>();
        Set<String> heldOut = new HashSet<>();
        Map<String, String> treated = new HashMap<>();
        for (Campaign campaign : liveCalls) {
            Map<String, Arm> arms = new HashMap<>(enrolled.getOrDefault(campaign.id(), Map.of()));
            for (MemberRisk member : members) {
                if (!arms.containsKey(member.memberId()) && admits(campaign.target(), member, inSegment)) {
                    Assignment assignment = campaign.assign(member.memberId());
                    toEnrol.add(new Enrolment(campaign.id(), member.memberId(), member.storeId(), assignment));
                    arms.put(member.memberId(), assignment.arm());
                }
            }
            arms.forEach((member, arm) -> {
                if (arm == Arm.HOLDOUT) {
                    heldOut.add(member);
                } else {
                    treated.putIfAbsent(member, campaign.id());
                }
            });
        }
        treated.keySet().removeAll(heldOut);
        return new CallArms(toEnrol, heldOut, treated);
    }

    private static boolean admits(Target target, MemberRisk member, BiPredicate<String, String> inSegment) {
        return target.admits(member.probability(), member.storeId())
                && (!target.targetsSegment() || inSegment.test(member.memberId(), target.segmentId()));
    }
}
