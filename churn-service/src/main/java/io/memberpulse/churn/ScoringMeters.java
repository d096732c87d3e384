package io.memberpulse.churn;

import io.memberpulse.proto.kafka.Topics;
import io.memberpulse.proto.merges.IdentityChange;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.inject.Singleton;

/**
 * What scoring counts (ScoreMembersService): scores and tombstones the broker acknowledged on churn.scores, identity
 * changes applied, events stamped ahead of the clock, and member.events facts dropped for an erasure (ErasedFacts,
 * which RecordOutcomesService counts in too). All but identity.changes are registered when the service is made, as
 * before. A singleton, not application-scoped: no client proxy stands in front of the counters the service reads as
 * fields.
 */
@Singleton
public class ScoringMeters {
    /** Scores the broker acknowledged on churn.scores. */
    final Counter published;
    /** Tombstones the broker acknowledged: every order refunded or taken back as a duplicate. */
    final Counter withdrawnForNoPurchase;
    /** Tombstones the broker acknowledged: a merge or split (member.merges) left the member without a score. */
    final Counter withdrawnByIdentityChange;
    /** Events stamped later than now plus max-clock-lead. */
    final Counter eventsAheadOfClock;
    private final MeterRegistry registry;
    private final ErasedFacts erasedFacts;

    ScoringMeters(MeterRegistry registry, ErasedFacts erasedFacts) {
        this.registry = registry;
        this.erasedFacts = erasedFacts;
        this.published = Counter.builder("memberpulse.churn.scores.published").register(registry);
        this.withdrawnForNoPurchase = withdrawals("no-purchase");
        this.withdrawnByIdentityChange = withdrawals("identity-change");
        this.eventsAheadOfClock = Counter.builder("memberpulse.churn.events.ahead.of.clock")
                .description("Events stamped later than now plus max-clock-lead: the event-time clock moved only that far")
                .register(registry);
    }

    private Counter withdrawals(String reason) {
        return Counter.builder("memberpulse.churn.scores.withdrawn").tag("reason", reason).register(registry);
    }

    /** A change from member.merges, applied now or found applied before (a re-delivery). */
    void identityChange(IdentityChange change, boolean applied) {
        registry.counter("memberpulse.churn.identity.changes", "kind", kindOf(change),
                "outcome", applied ? "applied" : "already-applied").increment();
    }

    /** member.events facts naming an erased member, acknowledged and not recorded. */
    void erasedEventsDropped(int count) {
        erasedFacts.dropped(Topics.MEMBER_EVENTS, count);
    }

    private static String kindOf(IdentityChange change) {
        if (change instanceof IdentityChange.Merge) {
            return "merge";
        }
        return change instanceof IdentityChange.Split ? "split" : "erasure";
    }
}
