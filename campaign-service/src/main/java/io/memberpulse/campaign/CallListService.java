package io.memberpulse.campaign;

import io.memberpulse.campaign.domain.CallList;
import io.memberpulse.campaign.domain.CallListQuery;
import io.memberpulse.campaign.domain.CallTask;
import io.memberpulse.campaign.domain.StoreNotFoundException;
import io.memberpulse.campaign.store.CallListCache;
import io.memberpulse.campaign.store.CallTaskRepository;
import io.memberpulse.campaign.store.ContactRepository;
import io.memberpulse.campaign.store.MemberRiskRepository;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.List;

/** A store's call list: from Redis when cached, else from PostgreSQL (and then cached). */
@ApplicationScoped
public class CallListService {
    private final MemberRiskRepository risks;
    private final CallTaskRepository tasks;
    private final CallListCache cache;
    private final ContactRepository contacts;
    private final int dailyCapacity;

    public CallListService(MemberRiskRepository risks, CallTaskRepository tasks, CallListCache cache,
            ContactRepository contacts, CampaignConfig config) {
        this.contacts = contacts;
        this.risks = risks;
        this.tasks = tasks;
        this.cache = cache;
        this.dailyCapacity = config.campaign().dailyCallCapacity();
    }

    /** Fails with InvalidArgumentException for a blank store or negative limit, StoreNotFoundException for an unknown store. */
    public Uni<CallList> callList(String storeId, int limit) {
        return Uni.createFrom().item(() -> new CallListQuery(storeId, limit))
                .flatMap(query -> ranked(query.storeId())
                        .map(ranked -> CallList.firstOf(query.storeId(), ranked, query.limitOr(dailyCapacity),
                                Instant.now())));
    }

    private Uni<List<CallTask>> ranked(String storeId) {
        return cache.get(storeId).flatMap(lookup -> lookup.tasks().isPresent()
                ? Uni.createFrom().item(lookup.tasks().get())
                : load(storeId).call(ranked -> cache.put(storeId, lookup, ranked)));
    }

    private Uni<List<CallTask>> load(String storeId) {
        return Panache.withSession(() -> risks.storeExists(storeId).flatMap(exists -> exists
                ? tasks.rankedOpen(storeId)
                : Uni.createFrom().failure(new StoreNotFoundException(storeId))))
                .flatMap(ranked -> contacts.maskedPhones(ranked.stream().map(CallTask::memberId).toList())
                        .map(phones -> ranked.stream().map(t -> t.withMaskedPhone(phones.get(t.memberId()))).toList()));
    }
}
