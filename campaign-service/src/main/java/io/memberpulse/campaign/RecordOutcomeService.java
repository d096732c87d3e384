package io.memberpulse.campaign;

import io.memberpulse.campaign.domain.Outcome;
import io.memberpulse.campaign.domain.OutcomeRules;
import io.memberpulse.campaign.domain.RecordedOutcome;
import io.memberpulse.campaign.domain.TaskConflictException;
import io.memberpulse.campaign.domain.TaskNotFoundException;
import io.memberpulse.campaign.store.CallListCache;
import io.memberpulse.campaign.store.TaskOutcomeRepository;
import io.memberpulse.campaign.stream.out.InterventionOutcomePublisher;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.OptimisticLockException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.List;
import org.hibernate.StaleStateException;
import org.jboss.logging.Logger;

/**
 * Records what staff report for a call: the task closes, the outcome is stored in the same
 * transaction, the store's cached call list is dropped, and the caller is answered; the outcome is published on
 * intervention.outcomes after that, without holding the answer. A repeated submit answers as before and
 * publishes nothing, also when it raced the first; a submit against a stale version, or on a task closed otherwise
 * (but for one cancelled under staff, or one that moved to the member's new home store, within late-outcome-grace,
 * OutcomeRules.decide), is refused, and so is one
 * whose task a member merge moved to another member and store after it was checked (decided again on the task as moved).
 * An outcome Kafka never acknowledged is published again by the relay (consumers are idempotent on task id).
 */
@ApplicationScoped
public class RecordOutcomeService {
    private static final Logger LOG = Logger.getLogger(RecordOutcomeService.class);
    private static final Duration RELAY_GRACE = Duration.ofSeconds(30);

    private final TaskOutcomeRepository outcomes;
    private final CallListCache cache;
    private final InterventionOutcomePublisher publisher;
    private final Clock clock;
    private final Duration lateOutcomeGrace;
    /** The calendar of follow-up dates, as StoreTaskPlanner applies them. */
    private final ZoneId dayZone;

    public RecordOutcomeService(TaskOutcomeRepository outcomes, CallListCache cache, InterventionOutcomePublisher publisher,
            Clock clock, CampaignConfig config) {
        this.clock = clock;
        this.lateOutcomeGrace = config.campaign().lateOutcomeGrace();
        this.dayZone = ZoneId.of(config.campaign().dayZone());
        this.outcomes = outcomes;
        this.cache = cache;
        this.publisher = publisher;
    }

    /**
     * @param callerStoreId the store the caller is bound to ("" for staff bound to none: no task is theirs); null
     *                      when the caller is not bound to a store (head office)
     */
    public Uni<RecordedOutcome> record(String taskId, Outcome outcome, long expectedVersion, String callerStoreId) {
        Instant now = clock.instant();
        outcome.checkReported(LocalDate.ofInstant(now, dayZone));
        return decideAndRecord(taskId, outcome, expectedVersion, callerStoreId, now)
                // Lost a race (the same submit twice at once, a change between the check and the write): decide
                // again on the task as it now stands, so the identical submit that won answers this one as a repeat.
                .onFailure(RecordOutcomeService::lostARace)
                .recoverWithUni(() -> decideAndRecord(taskId, outcome, expectedVersion, callerStoreId, now))
                .onFailure(RecordOutcomeService::lostARace).transform(e -> new TaskConflictException(
                        "task " + taskId + " was changed by someone else at the same time: re-read it"))
                .call(recorded -> recorded.repeated() ? Uni.createFrom().voidItem()
                        : cache.invalidate(listsShowing(recorded)).invoke(() -> publishLater(recorded)));
    }

    private Uni<RecordedOutcome> decideAndRecord(String taskId, Outcome outcome, long expectedVersion,
            String callerStoreId, Instant now) {
        return Panache.withTransaction(() -> outcomes.state(taskId).flatMap(state -> {
            if (state == null) {
                return Uni.createFrom().failure(new TaskNotFoundException(taskId));
            }
            OutcomeRules.Ruling ruling = OutcomeRules.decide(state, outcome, expectedVersion, callerStoreId, now,
                    lateOutcomeGrace);
            return switch (ruling.decision()) {
                case REPEAT -> outcomes.recorded(taskId);
                case RECORD -> outcomes.record(taskId, outcome, ruling.calledFromStore(), now);
            };
        }));
    }

    /**
     * Publishes without holding the caller: the committed outcome row is the outbox, so staff are answered once it is
     * stored and the call list forgot the task. A broker that is down or slow to acknowledge (a send may wait for
     * metadata for max.block.ms, a minute by default) leaves the row unpublished for the relay.
     */
    private void publishLater(RecordedOutcome recorded) {
        publishAndMark(recorded).subscribe().with(ignored -> {
        }, failure -> LOG.warnf("outcome of task %s: publishing failed (%s); the relay retries",
                recorded.task().taskId(), failure.getMessage()));
    }

    private Uni<Void> publishAndMark(RecordedOutcome recorded) {
        return publisher.publish(recorded)
                .call(() -> Panache.withTransaction(() -> outcomes.markPublished(recorded.task().taskId(), clock.instant())))
                .onFailure().invoke(e -> LOG.warnf("outcome of task %s stored, not yet published (%s); the relay retries",
                        recorded.task().taskId(), e.getMessage()))
                .onFailure().recoverWithNull().replaceWithVoid();
    }

    @Scheduled(every = "30s", delayed = "30s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> relay() {
        return Panache.withSession(() -> outcomes.unpublished(clock.instant().minus(RELAY_GRACE), 500))
                .onItem().transformToMulti(list -> Multi.createFrom().iterable(list))
                .onItem().transformToUniAndConcatenate(this::publishAndMark)
                .collect().last().replaceWithVoid();
    }

    /**
     * The task's store, and the store the call was made from when that is another (the store the task moved from,
     * OutcomeRules.decide): both lists drop what they held, as on the move.
     */
    private static List<String> listsShowing(RecordedOutcome recorded) {
        String taskStore = recorded.task().storeId();
        String calledFrom = recorded.calledFromStore();
        return calledFrom.equals(taskStore) ? List.of(taskStore) : List.of(taskStore, calledFrom);
    }

    private static boolean lostARace(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof OptimisticLockException || t instanceof StaleStateException) {
                return true;
            }
            // Two first submits at once: the second insert of the same task's outcome.
            if (t.getMessage() != null && t.getMessage().contains("task_outcome_pkey")) {
                return true;
            }
        }
        return false;
    }
}
