package io.memberpulse.campaign;

import io.memberpulse.campaign.domain.CallTask;
import io.memberpulse.campaign.store.CallTaskRepository;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/**
 * The SLA side of the SOP: every minute, OPEN tasks past their due time are escalated once (logged
 * per store and counted, by whichever replica marked them), and the number of overdue tasks is a gauge that alerting
 * watches (memberpulse_campaign_tasks_overdue: every replica sets it to the same database-wide count, so dashboards
 * and alerts take its max, not its sum).
 */
@ApplicationScoped
public class EscalateOverdueTasksService {
    private static final Logger LOG = Logger.getLogger(EscalateOverdueTasksService.class);

    private final CallTaskRepository tasks;
    private final AtomicLong overdue = new AtomicLong();
    private final Counter escalated;
    private final Clock clock;

    public EscalateOverdueTasksService(CallTaskRepository tasks, MeterRegistry registry, Clock clock) {
        this.clock = clock;
        this.tasks = tasks;
        Gauge.builder("memberpulse.campaign.tasks.overdue", overdue, AtomicLong::get)
                .description("OPEN call tasks past their due time").register(registry);
        this.escalated = Counter.builder("memberpulse.campaign.tasks.escalated").register(registry);
    }

    @Scheduled(every = "60s", delayed = "10s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> tick() {
        return escalate(clock.instant()).replaceWithVoid();
    }

    /** Escalates what is overdue at the instant; returns the tasks escalated now. */
    public Uni<List<CallTask>> escalate(Instant now) {
        // Only the tasks this statement marked: a replica whose tick overlaps another's counts and logs none twice.
        return tasks.escalateOverdue(now)
                .call(() -> Panache.withSession(() -> tasks.countOverdue(now)).invoke(overdue::set))
                .invoke(due -> {
                    escalated.increment(due.size());
                    due.forEach(task -> LOG.warnf("call task %s of store %s is overdue since %s: escalated",
                            task.taskId(), task.storeId(), task.dueAt()));
                });
    }
}
