package io.memberpulse.campaign;

import io.memberpulse.campaign.domain.CloseReason;
import io.memberpulse.campaign.domain.InterventionSop;
import io.memberpulse.campaign.domain.TaskPlan;
import io.memberpulse.campaign.store.CallTaskRepository;
import io.memberpulse.campaign.store.MemberRiskRepository;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Function;

/** Brings one store's OPEN tasks in line with the SOP, inside the caller's transaction. */
@ApplicationScoped
public class StoreTaskPlanner {
    private final MemberRiskRepository risks;
    private final CallTaskRepository tasks;
    private final InterventionSop sop;
    private final Duration dueIn;
    private final Duration coolDown;

    public StoreTaskPlanner(MemberRiskRepository risks, CallTaskRepository tasks, CampaignConfig config) {
        this.risks = risks;
        this.tasks = tasks;
        this.sop = new InterventionSop(config.campaign().sopTopShare(), config.campaign().minProbability());
        this.dueIn = Duration.ofHours(config.campaign().sopDueHours());
        this.coolDown = Duration.ofDays(config.campaign().coolDownDays());
    }

    public Uni<TaskPlan> replan(String storeId, Instant now) {
        return risks.inStore(storeId)
                .flatMap(members -> tasks.contactedSince(storeId, now.minus(coolDown))
                        .flatMap(coolingDown -> tasks.openInStore(storeId)
                                .map(open -> TaskPlan.reconcile(sop.select(members, coolingDown), open))))
                .call(plan -> apply(plan, now));
    }

    private Uni<Void> apply(TaskPlan plan, Instant now) {
        if (plan.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return inOrder(plan.toCancel(), task -> tasks.cancel(task.taskId(), CloseReason.RISK_FELL, now))
                .call(() -> inOrder(plan.toRefresh(), refresh -> tasks.refresh(refresh.taskId(), refresh.risk())))
                .call(() -> inOrder(plan.toOpen(), member -> tasks.open(member, now, now.plus(dueIn))))
                // Flush per store so that the one-OPEN-task-per-member index speaks up here, not at commit.
                .call(tasks::flush);
    }

    /** One after another: a Hibernate Reactive session allows a single operation at a time. */
    static <T> Uni<Void> inOrder(List<T> items, Function<T, Uni<?>> step) {
        return Multi.createFrom().iterable(items).onItem().transformToUniAndConcatenate(step)
                .collect().last().replaceWithVoid();
    }
}
