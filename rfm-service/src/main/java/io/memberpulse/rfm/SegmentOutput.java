package io.memberpulse.rfm;

import io.memberpulse.proto.kafka.RecordBatches;
import io.memberpulse.rfm.domain.SegmentChange;
import io.memberpulse.rfm.store.MemberRowRepository;
import io.memberpulse.rfm.store.RfmCache;
import io.memberpulse.rfm.store.SegmentChangeOutboxRepository;
import io.memberpulse.rfm.stream.out.SegmentChangePublisher;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import org.jboss.logging.Logger;

/**
 * Caches and publishes what a recomputation wrote to PostgreSQL (Redis rows, SegmentChanged), one
 * recomputation after the other in the order they wrote, so a member's cached row and its changes
 * never overtake each other. The caller does not wait for it: the next batch is read and written
 * while this one goes out (a batch is acknowledged to Kafka only when its output completes). At most
 * a few outputs are pending; a caller beyond that waits for the oldest. The changes are published from
 * the outbox their rows' writes queued them in (SegmentChangeOutboxRepository.publishQueuedChanges), by each output and
 * by SegmentChangeRelay for those an output failed to publish or a stopped replica never did.
 */
@ApplicationScoped
public class SegmentOutput {
    /**
     * Outputs pending at once: enough to overlap a batch's output with the next batch's writes. A batch is acknowledged
     * only once its output is done: with this many outputs ahead of it, each publishing within
     * {@link RecordBatches#OUTPUT_SEND_TIMEOUT} (the queued changes stay locked meanwhile, publishQueuedChanges), a
     * batch stays well within the 10 minutes a record may go unacknowledged (throttled.unprocessed-record-max-age.ms).
     */
    private static final int MAX_PENDING = 4;
    private static final Logger LOG = Logger.getLogger(SegmentOutput.class);
    /** Queued changes published and deleted per transaction. */
    private static final int PUBLISHED_AT_ONCE = 20_000;

    private final RfmCache cache;
    private final RfmCacheWrites cacheWrites;
    private final SegmentChangeOutboxRepository outbox;
    private final SegmentChangePublisher publisher;
    private final Timer outputTime;
    private final OutputQueue queue = new OutputQueue(MAX_PENDING);
    /**
     * The last publishing failed (the broker away, the topic unwritable): outputs leave their changes queued without
     * trying, and SegmentChangeRelay tries one change every 10 s until the broker takes it.
     */
    private volatile boolean brokerAway;

    public SegmentOutput(RfmCache cache, RfmCacheWrites cacheWrites, SegmentChangeOutboxRepository outbox,
            SegmentChangePublisher publisher, MeterRegistry registry) {
        this.cache = cache;
        this.cacheWrites = cacheWrites;
        this.outbox = outbox;
        this.publisher = publisher;
        this.outputTime = LiveTimings.stage(registry, "output");
    }

    /**
     * Queues the output of a recomputation (rows to cache, members to forget, the changes its writes
     * queued) behind the earlier ones; completes when Redis has the rows and the broker the changes, or
     * when the changes are left queued. Publishing is tried once, each page of the outbox within
     * {@link RecordBatches#OUTPUT_SEND_TIMEOUT}, and not at all while the last publishing failed; changes unpublished
     * stay in the outbox for SegmentChangeRelay, so a broker
     * away neither fails the output (the batch's facts are stored: dead-lettering them would set valid facts aside)
     * nor holds it past a record's unacknowledged budget (the pod would be restarted). Nor does Redis away: caching that fails
     * records the members as missed (RfmCacheWrites), whose repair caches their rows again once Redis answers,
     * and this replica reads them from PostgreSQL meanwhile. The rows are serialised here, on the caller's thread. Each row carries its version and each member
     * gone the version of its removal: an output that lands late (another replica's may have cached a
     * newer row, or a removal, meanwhile) changes only what is older in Redis (RfmCache).
     *
     * @param gone the members whose rows were removed, with the version of the removal
     */
    public CompletionStage<Void> emit(List<MemberRowRepository.StoredRow> rows, Map<String, Instant> gone) {
        // The members gone (absorbed by a merge) leave the cache before the survivors' new rows are written: a reader
        // never sees a survivor holding the absorbed member's facts while the absorbed member is still served too.
        List<String> members = new java.util.ArrayList<>(gone.keySet());
        rows.forEach(row -> members.add(row.snapshot().rfm().memberId()));
        Uni<Void> cached = cacheWrites.write(members, () -> cache.removeAll(gone).chain(() -> cache.putAll(rows)));
        Uni<Void> published = Uni.createFrom().deferred(() -> brokerAway ? Uni.createFrom().voidItem() : publishQueued()
                .onFailure().invoke(failure -> LOG.warnf("segment changes left queued for the relay: %s", failure.getMessage()))
                .onFailure().recoverWithNull());
        Uni<Void> output = Uni.combine().all().unis(cached, published).discardItems();
        long queued = System.nanoTime();
        return queue.enqueue(output::subscribeAsCompletionStage)
                .whenComplete((ignored, failure) -> outputTime.record(Duration.ofNanos(System.nanoTime() - queued)));
    }

    /**
     * Publishes every queued segment change, oldest first (this replica's and any other's), and completes
     * when the broker has them; a failure leaves the rest queued. While the last publishing failed, the oldest change
     * alone is tried first: a broker away fails it within max.block.ms, where thousands of sends handed to the
     * producer would each wait that long, one after the other, ahead of every later publishing.
     */
    public Uni<Void> publishQueued() {
        Uni<Void> probed = brokerAway
                ? outbox.publishQueuedChanges(1, this::publishWithin).replaceWithVoid()
                : Uni.createFrom().voidItem();
        return probed.chain(this::publishAllQueued)
                .onItem().invoke(() -> brokerAway = false)
                .onFailure().invoke(() -> brokerAway = true);
    }

    private Uni<Void> publishAllQueued() {
        return outbox.publishQueuedChanges(PUBLISHED_AT_ONCE, this::publishWithin)
                .chain(published -> published < PUBLISHED_AT_ONCE ? Uni.createFrom().voidItem() : publishAllQueued());
    }

    private Uni<Void> publishWithin(List<SegmentChange> changes) {
        return publisher.publish(changes).ifNoItem().after(RecordBatches.OUTPUT_SEND_TIMEOUT).fail();
    }

    /**
     * Deletes erased members' Redis keys (rows and tombstones) behind the outputs queued before, so none of those caches
     * their row again afterwards; a failed deletion is recorded as missed (RfmCacheWrites), and the repair deletes them.
     */
    public CompletionStage<Void> forget(java.util.Collection<String> erased) {
        List<String> members = List.copyOf(erased);
        return queue.enqueue(() -> cacheWrites.write(members, () -> cache.erase(members)).subscribeAsCompletionStage());
    }

    /** Waits until every queued output is out (or failed): before a pass writes the rows itself. Blocking. */
    public void drain() {
        queue.drain();
    }
}
