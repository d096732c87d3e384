package io.memberpulse.campaign;

import io.memberpulse.campaign.domain.CallTask;
import io.memberpulse.campaign.domain.MemberCard;
import io.memberpulse.campaign.domain.StoreNotFoundException;
import io.memberpulse.campaign.store.CallTaskRepository;
import io.memberpulse.campaign.store.KnownStoreRepository;
import io.memberpulse.campaign.store.MemberCardRepository;
import io.memberpulse.campaign.store.TaskOutcomeRepository;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.List;

/** A store's first OPEN tasks in call-list order from PostgreSQL, each with its member's card (phone and talking points). */
@ApplicationScoped
class CallListLoader {
    private final KnownStoreRepository stores;
    private final CallTaskRepository tasks;
    private final MemberCardRepository cards;
    private final TaskOutcomeRepository outcomes;

    CallListLoader(KnownStoreRepository stores, CallTaskRepository tasks, MemberCardRepository cards,
            TaskOutcomeRepository outcomes) {
        this.stores = stores;
        this.tasks = tasks;
        this.cards = cards;
        this.outcomes = outcomes;
    }

    /** Outcomes recorded for the store's tasks in [from, to). */
    Uni<Long> callsMade(String storeId, Instant from, Instant to) {
        return Panache.withSession(() -> outcomes.recordedIn(storeId, from, to));
    }

    /**
     * The first {@code max} of the store's OPEN tasks in call-list order as of {@code now}, with their cards. Fails with
     * StoreNotFoundException for a store no event or score ever named.
     */
    Uni<List<CallTask>> load(String storeId, Instant now, int max) {
        return stores.exists(storeId).flatMap(exists -> exists
                        ? Panache.withSession(() -> tasks.rankedOpen(storeId, now, max))
                        : Uni.createFrom().failure(new StoreNotFoundException(storeId)))
                .flatMap(ranked -> cards.cards(ranked.stream().map(CallTask::memberId).toList())
                        .map(found -> ranked.stream().map(t -> t.with(found.getOrDefault(t.memberId(), MemberCard.NONE)))
                                .toList()));
    }
}
