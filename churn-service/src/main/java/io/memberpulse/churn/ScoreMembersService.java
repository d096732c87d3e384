package io.memberpulse.churn;

import io.memberpulse.churn.domain.ChurnScore;
import io.memberpulse.churn.domain.Purchase;
import io.memberpulse.churn.domain.RhythmChurnModel;
import io.memberpulse.churn.store.ChurnRepository;
import io.memberpulse.churn.store.ScoreCache;
import io.memberpulse.churn.stream.out.ChurnScorePublisher;
import io.memberpulse.proto.identity.v1.EventType;
import io.memberpulse.proto.identity.v1.MemberEvent;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Scores on the seeds' "event + window" cadence: members touched by new purchase facts are scored
 * at once, as of the stream's event-time clock; everyone is re-scored when the clock moves. A score
 * is published on churn.scores when it is new or moved by the publish threshold. One scoring at a time.
 */
@ApplicationScoped
public class ScoreMembersService {
    private static final int PAGE = 2_000;
    private static final long BUSY_WINDOW_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(5);
    private static final long MAX_REFRESH_DELAY_NANOS = java.util.concurrent.TimeUnit.MINUTES.toNanos(2);

    private final ChurnRepository repository;
    private final ScoreCache cache;
    private final ChurnScorePublisher publisher;
    private final RhythmChurnModel model;
    private final double publishThreshold;
    private final Counter published;
    /** Event time of the last full refresh. */
    private Instant lastFullRefresh = Instant.EPOCH;
    /** Wall-clock times of the last full refresh and of the last recorded batch. */
    private long lastFullRefreshNanos = System.nanoTime();
    private volatile long lastBatchNanos;

    public ScoreMembersService(ChurnRepository repository, ScoreCache cache, ChurnScorePublisher publisher,
            ChurnConfig config, MeterRegistry registry) {
        this.repository = repository;
        this.cache = cache;
        this.publisher = publisher;
        this.model = new RhythmChurnModel(config.churn().horizonDays(), config.churn().defaultGapDays());
        this.publishThreshold = config.churn().publishThreshold();
        this.published = Counter.builder("memberpulse.churn.scores.published").register(registry);
    }

    /** Records a batch from member.events and re-scores the members it touched. Blocking. */
    public synchronized void record(List<MemberEvent> events) {
        List<ChurnRepository.StoredPurchase> purchases = new ArrayList<>();
        Set<String> touched = new LinkedHashSet<>();
        Instant latest = null;
        for (MemberEvent event : events) {
            var fact = event.getEvent();
            Instant at = Instant.ofEpochSecond(fact.getOccurredAt().getSeconds(), fact.getOccurredAt().getNanos());
            latest = latest == null || at.isAfter(latest) ? at : latest;
            Purchase purchase = toPurchase(event, at);
            if (purchase != null && !event.getMemberId().isEmpty()) {
                String source = fact.getSource().name().substring("SOURCE_".length()).toLowerCase(Locale.ROOT);
                purchases.add(new ChurnRepository.StoredPurchase(source, fact.getEventId(), event.getMemberId(), purchase));
                touched.add(event.getMemberId());
            }
        }
        if (latest == null) {
            return;
        }
        lastBatchNanos = System.nanoTime();
        repository.insertPurchases(purchases).await().indefinitely();
        Instant clock = repository.advanceWatermark(latest).await().indefinitely();
        if (!touched.isEmpty()) {
            score(touched, clock);
        }
    }

    /** Re-scores every member as of the clock, when it moved. Blocking. */
    public synchronized void refreshAll() {
        Instant clock = repository.watermark().await().indefinitely().orElse(null);
        if (clock == null || !clock.isAfter(lastFullRefresh) || streamIsBusy()) {
            return;
        }
        String after = "";
        while (true) {
            List<String> page = repository.memberIdsAfter(after, PAGE).await().indefinitely();
            if (page.isEmpty()) {
                break;
            }
            score(page, clock);
            after = page.get(page.size() - 1);
        }
        lastFullRefresh = clock;
        lastFullRefreshNanos = System.nanoTime();
    }

    /**
     * While batches keep arriving (a replay, a backlog) the members they touch are recomputed anyway;
     * re-aging everyone on every tick would only slow the catch-up. Wait for a quiet moment, but
     * never longer than two minutes.
     */
    private boolean streamIsBusy() {
        long now = System.nanoTime();
        return now - lastBatchNanos < BUSY_WINDOW_NANOS && now - lastFullRefreshNanos < MAX_REFRESH_DELAY_NANOS;
    }

    private void score(Collection<String> memberIds, Instant asOf) {
        Map<String, List<Purchase>> purchases = repository.purchasesOf(memberIds).await().indefinitely();
        Map<String, ChurnScore> previous = repository.scoresOf(memberIds).await().indefinitely();
        List<ChurnScore> changed = new ArrayList<>();
        for (String memberId : memberIds) {
            Optional<ChurnScore> score = model.score(memberId, purchases.getOrDefault(memberId, List.of()), asOf);
            if (score.isPresent() && worthPublishing(score.get(), previous.get(memberId))) {
                changed.add(score.get());
            }
        }
        repository.upsertScores(changed, Instant.now()).await().indefinitely();
        cache.putAll(changed, previous).await().indefinitely();
        publisher.publish(changed).await().indefinitely();
        published.increment(changed.size());
    }

    private boolean worthPublishing(ChurnScore score, ChurnScore previous) {
        return previous == null
                || Math.abs(score.probability() - previous.probability()) >= publishThreshold
                || !Objects.equals(score.homeStoreId(), previous.homeStoreId())
                || Math.abs(score.memberValue() - previous.memberValue()) >= 0.01;
    }

    static Purchase toPurchase(MemberEvent event, Instant at) {
        var fact = event.getEvent();
        var line = fact.getLine();
        if (event.getDuplicateOrder() || line.getOrderId().isEmpty()) {
            return null;
        }
        if (fact.getType() == EventType.EVENT_TYPE_ORDER && line.hasPaidAmount()) {
            return new Purchase(line.getOrderId(), false, at, fact.getStoreId(), line.getPaidAmount());
        }
        if (fact.getType() == EventType.EVENT_TYPE_REFUND && line.hasRefundAmount()) {
            return new Purchase(line.getOrderId(), true, at, fact.getStoreId(), -line.getRefundAmount());
        }
        return null;
    }
}
