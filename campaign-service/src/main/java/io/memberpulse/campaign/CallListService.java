package io.memberpulse.campaign;

import io.memberpulse.campaign.domain.CallCapacity;
import io.memberpulse.campaign.domain.StoreCallCapacities;
import io.memberpulse.campaign.domain.CallList;
import io.memberpulse.campaign.domain.Money;
import io.memberpulse.campaign.domain.CallListQuery;
import io.memberpulse.campaign.store.CallListCache;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.Currency;
import org.jboss.logging.Logger;

/**
 * A store's call list: from Redis when cached, else from PostgreSQL (and then cached); from PostgreSQL, not cached, while
 * Redis fails or may hold lists whose invalidation it missed (CallListCache).
 */
@ApplicationScoped
public class CallListService {
    private static final Logger LOG = Logger.getLogger(CallListService.class);
    private final CallListLoader loader;
    private final CallListCache cache;
    private final CallCapacity capacity;
    private final int maxTasks;
    private final ZoneId dayZone;
    private final Money money;
    private final Clock clock;

    CallListService(CallListLoader loader, CallListCache cache, CampaignConfig config, Clock clock) {
        this.loader = loader;
        this.cache = cache;
        this.capacity = new CallCapacity(config.campaign().dailyCallCapacity(),
                config.campaign().storeCallCapacities().orElse(StoreCallCapacities.NONE).byStore());
        this.maxTasks = config.campaign().callListMaxTasks();
        this.dayZone = ZoneId.of(config.campaign().dayZone());
        this.money = new Money(config.campaign().currency(), config.campaign().currencyLocale().orElse(null));
        this.clock = clock;
    }

    /** The currency of every amount on call tasks (memberpulse.campaign.currency), which the talking points write. */
    public Currency currency() {
        return money.currency();
    }

    /**
     * Without a limit, the calls that fit in what is left of the store's daily capacity, its own or the chain's (the
     * outcomes it recorded since the start of its day, in day-zone, count against it); the rest, up to
     * call-list-max-tasks in all, are the shopping guides' messages. Fails with InvalidArgumentException for a blank
     * store, a negative limit or one above call-list-max-tasks, StoreNotFoundException for an unknown store.
     */
    public Uni<CallList> callList(String storeId, int limit) {
        return Uni.createFrom().item(() -> new CallListQuery(storeId, limit).checkAtMost(maxTasks))
                .flatMap(query -> {
                    Instant now = clock.instant();
                    return today(query.storeId(), now)
                            .map(day -> CallList.firstOf(query.storeId(), day.tasks(),
                                    query.limitOr(capacity.of(query.storeId()), day.callsMade()), now, dayZone, money));
                });
    }

    /**
     * Drops the lists Redis kept of stores whose invalidation it missed (CallListCache.repairMissed), once it answers;
     * while it does not, the next run tries again.
     */
    @Scheduled(every = "${memberpulse.campaign.redis-repair-every}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void repairCallLists() {
        try {
            cache.repairMissed();
        } catch (RuntimeException e) {
            LOG.warnf("call lists whose invalidation Redis missed not dropped yet, tried again next time: %s",
                    e.getMessage());
        }
    }

    /**
     * The store's ranked open tasks and the outcomes it recorded today: from Redis when cached today, else from
     * PostgreSQL (then cached). A cached read costs no query: recording an outcome invalidates the entry.
     */
    private Uni<CallListCache.Entry> today(String storeId, Instant now) {
        LocalDate today = LocalDate.ofInstant(now, dayZone);
        return cache.get(storeId).flatMap(lookup -> {
            var cached = lookup.entry().filter(entry -> entry.day().equals(today));
            if (cached.isPresent()) {
                return Uni.createFrom().item(cached.get());
            }
            return loader.load(storeId, now, maxTasks)
                    .flatMap(ranked -> loader.callsMade(storeId, today.atStartOfDay(dayZone).toInstant(),
                                    today.plusDays(1).atStartOfDay(dayZone).toInstant())
                            .map(made -> new CallListCache.Entry(today, made, ranked)))
                    .call(entry -> cache.put(storeId, lookup, entry));
        });
    }
}
