package io.memberpulse.identity;

import io.memberpulse.identity.domain.IdentifierNormalizer;
import io.memberpulse.identity.domain.IdentityGraph;
import io.memberpulse.identity.domain.Identifier;
import io.memberpulse.identity.domain.InvalidIdentifierException;
import io.memberpulse.identity.store.GraphRepository;
import io.memberpulse.identity.store.WriterLock;
import io.memberpulse.proto.identity.v1.ChannelEvent;
import com.google.protobuf.InvalidProtocolBufferException;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * The one in-memory identity graph of this service, rebuilt from PostgreSQL when first needed and
 * after anything that may have left it out of step with the database (a failed import, a split).
 * Imports and splits run one at a time (they synchronise on this object), so PostgreSQL and memory
 * change together; one replica imports at a time (see README).
 * <p>
 * An import writes a stitched batch while it stitches the next ({@link #queueWrite}): the writes run
 * one at a time in the order they were stitched, and the graph is never rebuilt while one is pending
 * (it would be rebuilt without that batch). When a write fails, the graph holds that batch and every
 * batch stitched after it: their writes are refused, and the graph is rebuilt from the database once
 * they have ended.
 */
@ApplicationScoped
public class StitchingGraph {
    private static final Logger LOG = Logger.getLogger(StitchingGraph.class);

    private final GraphRepository repository;
    private final IdentityConfig config;
    private final IdentifierNormalizer normalizer;
    private final SingleWriter writer;
    private IdentityGraph graph;
    /**
     * Which load the graph is: batches and their writes name it, never the graph itself, so that nothing
     * holds a dropped graph while its successor loads (a heap sized for one graph does not hold two).
     */
    private long generation;
    private WriterLock.Tenure loadedInTenure;
    private final WriteQueue writes = new WriteQueue();

    public StitchingGraph(GraphRepository repository, IdentityConfig config, SingleWriter writer) {
        this.repository = repository;
        this.config = config;
        this.writer = writer;
        this.normalizer = new IdentifierNormalizer(config.identity().defaultRegion(),
                IdentityConfig.guardrails(config)::isBlocked);
    }

    /**
     * The graph, loaded if needed, for a write. Blocking: call from a worker thread, holding this
     * object's lock. Throws {@link NotWriterException} unless this instance holds the writer lock.
     */
    synchronized IdentityGraph graph() {
        WriterLock.Tenure tenure = writer.check();
        if (graph == null || writes.failedOn(generation) || !tenure.equals(loadedInTenure)) { // another instance may have written in between
            awaitWrites();
            graph = null; // garbage before the new one is built: a heap sized for one graph does not hold two
            graph = load();
            generation++;
            loadedInTenure = tenure;
        }
        return graph;
    }

    /** Which load of the graph {@link #graph} returned (1, 2, ...). Call after it, holding this object's lock. */
    synchronized long generation() {
        return generation;
    }

    /**
     * The writer's tenure the graph was loaded in: a batch stitched on it is written only while that tenure holds
     * the writer lock ({@link #inTransaction}). Call after {@link #graph}, holding this object's lock.
     */
    synchronized WriterLock.Tenure tenure() {
        return loadedInTenure;
    }

    /**
     * Throws {@link NotWriterException} unless this instance holds the writer lock.
     *
     * @return the tenure to write in
     */
    WriterLock.Tenure checkWriter() {
        return writer.check();
    }

    /** Writes in one transaction fenced by the writer lock of {@code tenure} (see {@link SingleWriter#inTransaction}). */
    <T> T inTransaction(WriterLock.Tenure tenure, Function<SqlConnection, Uni<T>> work) {
        return writer.inTransaction(tenure, work);
    }

    /**
     * Queues the write of a batch stitched on {@code stitchedOn} behind the writes queued before it
     * (see {@link WriteQueue}). Call holding this object's lock, in stitching order.
     */
    synchronized <T> CompletableFuture<T> queueWrite(long stitchedOn, Supplier<T> write, Executor executor) {
        return writes.queue(stitchedOn, write, executor);
    }

    /** Blocks until every queued write has ended (failures included). */
    synchronized void awaitWrites() {
        writes.awaitAll();
    }

    /** Drops the graph; the next caller rebuilds it from the database. */
    synchronized void invalidate() {
        graph = null;
    }

    /**
     * Erases members in the graph as loaded, after their erasure committed ({@link IdentityGraph#erase}): a rebuild
     * of a large tenant's graph takes minutes of the writer's time (2.9M events: ~100 s), which one erasure must not
     * cost. Where the graph cannot mirror the database there, or fails to, it is dropped and rebuilt as before. Call
     * holding this object's lock, with no write queued (the erasure awaited them).
     *
     * @param members the member and every member merged into it
     * @return whether the graph was kept (true too when none is loaded: the next caller loads it)
     */
    synchronized boolean erase(List<String> members) {
        if (graph == null) {
            return true;
        }
        try {
            if (graph.erase(members, why -> LOG.infof("members %s erased: %s; the identity graph is rebuilt", members,
                    why))) {
                return true;
            }
        } catch (RuntimeException e) {
            LOG.errorf(e, "erasing members %s in the identity graph failed; it is rebuilt from the database", members);
        }
        graph = null;
        return false;
    }

    private IdentityGraph load() {
        long started = System.nanoTime();
        IdentityGraph loaded = new IdentityGraph(IdentityConfig.guardrails(config), IdentityConfig.matchWeights(config),
                IdentityConfig.weightEstimation(config));
        repository.members(m -> loaded.restoreMember(m.id(), m.mergedInto()));
        repository.erasedMembers().forEach(loaded::restoreErased);
        repository.links(l -> loaded.restoreLink(l.identifier(), l.memberId(), l.firstSeen(), l.lastSeen()));
        repository.quarantined().forEach(loaded::restoreQuarantine);
        // after the quarantined values, whose stores no longer count
        repository.identifierStores(s -> loaded.restoreStore(s.identifier(), s.storeId(), s.lastSeen()));
        repository.cannotLink().forEach(pair -> loaded.forbidMerge(pair[0], pair[1]));
        int[] events = new int[1];
        repository.storedEvents(stored -> {
            try {
                ChannelEvent event = ChannelEvent.parseFrom(stored.payload());
                loaded.restoreEvent(stored.memberId(), EventEvidenceMapper.evidence(0, event,
                        EventEvidenceMapper.identifiers(normalizer, event), null));
                events[0]++;
            } catch (InvalidProtocolBufferException | InvalidIdentifierException e) {
                LOG.warnf("stored event %s/%s left out of the identity graph: %s", stored.source(), stored.eventId(),
                        e.getMessage());
            }
        });
        LOG.infof("identity graph loaded: %d members, %d events in %d ms", loaded.memberCount(), events[0],
                (System.nanoTime() - started) / 1_000_000);
        return loaded;
    }
}
