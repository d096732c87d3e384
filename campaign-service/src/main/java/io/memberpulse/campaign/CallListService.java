package io.memberpulse.campaign;

import io.memberpulse.campaign.domain.CallList;
import io.memberpulse.campaign.domain.CallListQuery;
import io.memberpulse.campaign.domain.CallTask;
import io.memberpulse.campaign.store.CallListCache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
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

    /**
     * Without a limit, the calls that fit in what is left of the store's daily capacity (the outcomes it recorded since
     * the start of its day, in day-zone, count against it); the rest are the shopping guides' messages. Fails with
     * InvalidArgumentException for a blank store or negative limit, StoreNotFoundException for an unknown store.
     */
    public Uni<CallList> callList(String storeId, int limit) {
        return Uni.createFrom().item(() -> new CallListQuery(storeId, limit))
                .flatMap(query -> ranked(query.storeId()).flatMap(ranked -> {
                    Instant now = clock.instant();
                    return callsMadeToday(query, now).map(made -> CallList.firstOf(query.storeId(), ranked,
                            query.limitOr(dailyCapacity, made), now, dayZone));
                }));
    }

    /** Outcomes the store recorded from the start of today (day-zone) to its end; none asked for with a limit. */
    private Uni<Long> callsMadeToday(CallListQuery query, Instant now) {
        if (!query.byCapacity()) {
            return Uni.createFrom().item(0L);
        }
        LocalDate today = LocalDate.ofInstant(now, dayZone);
        return loader.callsMade(query.storeId(), today.atStartOfDay(dayZone).toInstant(),
                today.plusDays(1).atStartOfDay(dayZone).toInstant());
    }

    private Uni<List<CallTask>> ranked(String storeId) {
        return cache.get(storeId).flatMap(lookup -> lookup.tasks().isPresent()
                ? Uni.createFrom().item(lookup.tasks().get())
                : loader.load(storeId).call(ranked -> cache.put(storeId, lookup, ranked)));
    }
}
