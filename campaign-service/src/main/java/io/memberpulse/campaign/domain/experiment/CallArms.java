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
 * member who comes to meet a live campaign's target is enrolled then, by the same sticky hash, unless another call
 * campaign whose window overlaps this one's enrolled them first: a call task counts for one campaign, so a member in
 * two would be called for one while the other counted them as treated without the call or its cost, or held them out
 * while the other treated them. Such a member is excluded from the second (in neither of its arms) and counted as
 * excluded for overlap in its results.
 *
 * @param toEnrol         members meeting a live campaign's target who are not enrolled yet
 * @param toExclude       members meeting a live campaign's target who are enrolled in an overlapping call campaign
 * @param heldOut         members held out of at least one live call campaign
 * @param treatedCampaign the live call campaign a treated member's call counts for
 */
public record CallArms(List<Enrolment> toEnrol, List<Exclusion> toExclude, Set<String> heldOut,
        Map<String, String> treatedCampaign) {
    public static final CallArms NONE = new CallArms(List.of(), List.of(), Set.of(), Map.of());

    public CallArms {
        toEnrol = List.copyOf(toEnrol);
        toExclude = List.copyOf(toExclude);
        heldOut = Set.copyOf(heldOut);
        treatedCampaign = Map.copyOf(treatedCampaign);
    }

    /** What a call campaign does with a member meeting its target whom it has not enrolled: an enrolment or an exclusion. */
    public sealed interface Entry permits Enrolment, Exclusion {
    }

    public record Enrolment(String campaignId, String memberId, String storeId, Assignment assignment) implements Entry {
    }

    /** A member campaign {@code campaignId} did not enrol: {@code enrolledIn}, overlapping it, had enrolled them. */
    public record Exclusion(String campaignId, String memberId, String enrolledIn) implements Entry {
    }

    /**
     * The overlap rule, in one place for a campaign going live (its whole audience, CampaignRepository.enrol; only a
     * call campaign has overlapping ones to give way to) and a replan's newcomers ({@link #of}): a member whom another
     * call campaign, its window overlapping this one's, enrolled first is excluded, in neither arm (a call task counts
     * for one campaign); anyone else is enrolled by the campaign's sticky hash.
     *
     * @param enrolledIn the overlapping call campaign that has the member; null when none
     */
    public static Entry entry(Campaign campaign, String memberId, String storeId, String enrolledIn) {
        return enrolledIn != null ? new Exclusion(campaign.id(), memberId, enrolledIn)
                : new Enrolment(campaign.id(), memberId, storeId, campaign.assign(memberId));
    }

    /** Without other call campaigns' enrolments: every member meeting a target may be enrolled. */
    public static CallArms of(List<Campaign> liveCalls, List<MemberRisk> members, Map<String, Map<String, Arm>> enrolled,
            BiPredicate<String, String> inSegment) {
        return of(liveCalls, members, enrolled, Map.of(), inSegment);
    }

    /**
     * @param liveCalls          the live call campaigns, first come first (by start): of two that a member newly
     *                           meets the targets of at once, the first enrols them
     * @param members            the members to enrol where they newly meet a live campaign's target
     * @param enrolled           campaign id → member id → arm, for these members and any other the caller asks about
     *                           (a member with a call in the store who is scored elsewhere or not at all): every
     *                           enrolled member's arm counts, whoever is enrolled here
     * @param enrolledElsewhere  campaign id → member id → the other call campaign, its window overlapping this one's,
     *                           that the member is enrolled in (live or ended): they are not enrolled in this one
     * @param inSegment          whether a member (first) is in a segment (second) now
     */
    public static CallArms of(List<Campaign> liveCalls, List<MemberRisk> members, Map<String, Map<String, Arm>> enrolled,
            Map<String, Map<String, String>> enrolledElsewhere, BiPredicate<String, String> inSegment) {
        List<Enrolment> toEnrol = new ArrayList<>();
        List<Exclusion> toExclude = new ArrayList<>();
        Set<String> heldOut = new HashSet<>();
        Map<String, String> treated = new HashMap<>();
        // Members this pass enrols, with the campaign: live call campaigns overlap each other.
        Map<String, String> enrolledNow = new HashMap<>();
        for (Campaign campaign : liveCalls) {
            Map<String, Arm> arms = new HashMap<>(enrolled.getOrDefault(campaign.id(), Map.of()));
            Map<String, String> elsewhere = enrolledElsewhere.getOrDefault(campaign.id(), Map.of());
            for (MemberRisk member : members) {
                if (!arms.containsKey(member.memberId()) && admits(campaign.target(), member, inSegment)) {
                    String other = elsewhere.getOrDefault(member.memberId(), enrolledNow.get(member.memberId()));
                    Entry entry = entry(campaign, member.memberId(), member.storeId(), other);
                    if (entry instanceof Exclusion exclusion) {
                        toExclude.add(exclusion);
                    } else if (entry instanceof Enrolment enrolment) {
                        toEnrol.add(enrolment);
                        enrolledNow.put(member.memberId(), campaign.id());
                        arms.put(member.memberId(), enrolment.assignment().arm());
                    }
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
        return new CallArms(toEnrol, toExclude, heldOut, treated);
    }

    private static boolean admits(Target target, MemberRisk member, BiPredicate<String, String> inSegment) {
        return target.admits(member.probability(), member.storeId())
                && (!target.targetsSegment() || inSegment.test(member.memberId(), target.segmentId()));
    }
}
