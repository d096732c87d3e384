package io.memberpulse.campaign;

import io.memberpulse.campaign.domain.CallList;
import io.memberpulse.campaign.domain.CallListQuery;
import io.memberpulse.campaign.domain.CallTask;
import io.memberpulse.campaign.store.CallListCache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.ZoneId;
import java.util.List;

/** A store's call list: from Redis when cached, else from PostgreSQL (and then cached). */
@ApplicationScoped
public class CallListService {
    private final CallListLoader loader;
    private final CallListCache cache;
    private final int dailyCapacity;
    private final ZoneId dayZone;
    private final Clock clock;

    CallListService(CallListLoader loader, CallListCache cache, CampaignConfig config, Clock clock) {
        this.loader = loader;
        this.cache = cache;
        this.dailyCapacity = config.campaign().dailyCallCapacity();
        this.dayZone = ZoneId.of(config.campaign().dayZone());
        this.clock = clock;
    }

    /** Fails with InvalidArgumentException for a blank store or negative limit, StoreNotFoundException for an unknown store. */
    public Uni<CallList> callList(String storeId, int limit) {
        return Uni.createFrom().item(() -> new CallListQuery(storeId, limit))
                .flatMap(query -> ranked(query.storeId())
                        .map(ranked -> CallList.firstOf(query.storeId(), ranked, query.limitOr(dailyCapacity),
                                clock.instant(), dayZone)));
    }

    private Uni<List<CallTask>> ranked(String storeId) {
        return cache.get(storeId).flatMap(lookup -> lookup.tasks().isPresent()
                ? Uni.createFrom().item(lookup.tasks().get())
                : loader.load(storeId).call(ranked -> cache.put(storeId, lookup, ranked)));
    }
}
