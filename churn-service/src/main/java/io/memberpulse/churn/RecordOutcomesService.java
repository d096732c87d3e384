package io.memberpulse.churn;

import io.memberpulse.churn.store.FactRepository;
import io.memberpulse.churn.store.IdentityChangeRepository;
import io.memberpulse.churn.store.StreamClockRepository;
import io.memberpulse.proto.campaign.v1.InterventionOutcome;
import io.memberpulse.proto.campaign.v1.OutcomeResult;
import io.memberpulse.proto.kafka.Topics;
import io.memberpulse.proto.store.ErasedMembers;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Intervention outcomes (intervention.outcomes) recorded as member facts, once per task: the next
 * training run reads them as treatment-flagged examples (see SnapshotBuilder); an outcome for a member
 * absorbed by a merge is recorded for its survivor. Blocking.
 *
 * <p>An outcome is placed no later than the event-time clock (the latest member event recorded, StreamClockRepository
 * #watermark) when it is recorded. Campaign-service stamps it with the wall clock, while training cuts the facts on
 * the event clock: after an import of past data (the demo's 2010-2011 Online Retail, called in 2026) an outcome at
 * its wall-clock time lies after every fact, in no cut-off's horizon, and never teaches a run. Staff called on the
 * scores of the facts known then, so the call is placed there, the "now" of those facts; the facts that come after
 * it say whether the member came back. Live, the clock trails the wall clock by the events' delay, and an outcome
 * recorded within that delay is moved back by it.
 */
@ApplicationScoped
public class RecordOutcomesService {
    static final String SOURCE = "campaign";

    private final FactRepository facts;
    private final StreamClockRepository streamClock;
    private final IdentityChangeRepository identities;
    private final Counter recorded;
    private final ErasedFacts erasedFacts;

    public RecordOutcomesService(FactRepository facts, StreamClockRepository streamClock, IdentityChangeRepository identities,
            ErasedFacts erasedFacts, MeterRegistry registry) {
        this.facts = facts;
        this.streamClock = streamClock;
        this.identities = identities;
        this.recorded = Counter.builder("memberpulse.churn.intervention.outcomes.recorded").register(registry);
        this.erasedFacts = erasedFacts;
    }

    /** WILL_RETURN -> will_return; a value newer than this build keeps its number. */
    static String result(InterventionOutcome outcome) {
        String name = outcome.getResult() == OutcomeResult.UNRECOGNIZED ? "result_" + outcome.getResultValue()
                : outcome.getResult().name().replaceFirst("^OUTCOME_RESULT_", "");
        return name.toLowerCase(Locale.ROOT);
    }

    /** Why an outcome cannot be used, or null when it can. */
    public static String problemOf(InterventionOutcome outcome) {
        if (outcome.getTaskId().isBlank()) {
            return "task_id: is required";
        }
        if (outcome.getMemberId().isBlank()) {
            return "member_id: is required";
        }
        if (!outcome.hasRecordedAt() || outcome.getRecordedAt().getSeconds() <= 0) {
            return "recorded_at: is required";
        }
        return null;
    }

    /**
     * Looks up the survivors and inserts in one transaction under the identity lock (see
     * IdentityChangeRepository.inRecordingTransaction), so a merge applied meanwhile moves these outcomes or is seen.
     * @param outcomes usable outcomes only ({@link #problemOf} null)
     */
    public void record(List<InterventionOutcome> outcomes) {
        if (outcomes.isEmpty()) {
            return;
        }
        Set<String> members = outcomes.stream().map(InterventionOutcome::getMemberId).collect(Collectors.toSet());
        Instant clock = streamClock.watermark().await().indefinitely().orElse(null);
        int kept = identities.inRecordingTransaction(transaction -> identities.survivorsOf(transaction, members)
                .chain(survivors -> withoutErased(transaction, outcomes, survivors)
                        .chain(keeping -> facts.insertActivities(transaction, toActivities(keeping, survivors, clock))
                                .replaceWith(keeping.size()))))
                .await().indefinitely();
        recorded.increment(kept);
        erasedFacts.dropped(Topics.INTERVENTION_OUTCOMES, outcomes.size() - kept);
    }

    /**
     * The outcomes but those of an erased member, named directly or as a member merged into one: the call's
     * outcome is theirs (a treatment-flagged example of them), so it is dropped, acknowledged and not dead-lettered.
     */
    private Uni<List<InterventionOutcome>> withoutErased(SqlConnection transaction, List<InterventionOutcome> outcomes,
            Map<String, String> survivors) {
        Set<String> named = new HashSet<>(survivors.values());
        outcomes.forEach(outcome -> named.add(outcome.getMemberId()));
        return ErasedMembers.among(transaction, named).map(erased -> erased.isEmpty() ? outcomes
                : outcomes.stream().filter(outcome -> !erased.contains(outcome.getMemberId())
                        && !erased.contains(survivors.getOrDefault(outcome.getMemberId(), outcome.getMemberId())))
                        .toList());
    }

    /** @param clock the event-time clock, which no outcome is placed after; null when no event is recorded yet */
    private static List<FactRepository.StoredActivity> toActivities(List<InterventionOutcome> outcomes,
            Map<String, String> survivors, Instant clock) {
        List<FactRepository.StoredActivity> activities = new ArrayList<>(outcomes.size());
        for (InterventionOutcome o : outcomes) {
            Instant recordedAt = Instant.ofEpochSecond(o.getRecordedAt().getSeconds(), o.getRecordedAt().getNanos());
            Instant at = clock != null && recordedAt.isAfter(clock) ? clock : recordedAt;
            activities.add(new FactRepository.StoredActivity(SOURCE, o.getTaskId(),
                    survivors.getOrDefault(o.getMemberId(), o.getMemberId()), "intervention", at,
                    null, o.getStoreId().isBlank() ? null : o.getStoreId(), o.getReached() ? 1.0 : 0.0, null,
                    result(o)));
        }
        return activities;
    }
}
