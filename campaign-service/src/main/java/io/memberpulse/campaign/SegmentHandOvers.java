package io.memberpulse.campaign;

import io.memberpulse.campaign.domain.MemberRisk;
import io.memberpulse.campaign.domain.SegmentRules;
import io.memberpulse.campaign.domain.TaskPlan;
import io.memberpulse.campaign.store.MemberSegmentRepository;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Set;

/**
 * A store replan's churn calls the SOP drops, handed over to a segment rule instead of cancelled while their member is
 * in that rule's segment (entering it opened no second call; see TaskPlan.handingOverToSegments): the calling rules
 * and the memberships they are read against, which StoreTaskPlanner needs for this step only.
 */
@ApplicationScoped
class SegmentHandOvers {
    private final MemberSegmentRepository segments;
    private final SegmentRules rules;

    SegmentHandOvers(MemberSegmentRepository segments, SegmentRules rules) {
        this.segments = segments;
        this.rules = rules;
    }

    /**
     * The plan, with the churn calls it drops of members still in a calling rule's segment handed over to that rule.
     * member_segment is read committed: a membership committing after this read has its calls planned by
     * SegmentTaskPlanner under this store's lock, so after this transaction (an entry finds no OPEN call and opens
     * one; an exit cancels the handed-over call by its origin).
     *
     * @param members the store's members with their newest scores
     * @param heldOut members held out of a live call campaign: their calls are cancelled, not handed over
     */
    Uni<TaskPlan> of(TaskPlan plan, List<MemberRisk> members, Set<String> heldOut) {
        Set<String> dropped = plan.droppedChurnCalls(heldOut);
        if (dropped.isEmpty() || rules.segments().isEmpty()) {
            return Uni.createFrom().item(plan);
        }
        return segments.of(dropped, rules.segments())
                .map(memberships -> plan.handingOverToSegments(rules, memberships, members, heldOut));
    }
}
