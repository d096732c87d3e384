package io.memberpulse.churn;

import io.memberpulse.churn.domain.ChurnScore;
import io.memberpulse.churn.domain.Purchase;
import io.memberpulse.churn.domain.RhythmChurnModel;
import io.memberpulse.churn.domain.ScorePublication;
import io.memberpulse.churn.domain.model.TrainedChurnModel;
import io.memberpulse.churn.store.FactRepository;
import io.memberpulse.churn.store.IdentityChangeRepository;
import io.memberpulse.churn.store.ModelInputRepository;
import io.memberpulse.churn.store.ScoreCache;
import io.memberpulse.churn.store.ScoreRepository;
import io.memberpulse.churn.store.StreamClockRepository;
import io.memberpulse.churn.stream.out.ChurnScorePublisher;
import io.memberpulse.proto.identity.v1.MemberEvent;
import io.memberpulse.proto.kafka.RecordBatches;
import io.memberpulse.proto.merges.ArrivingEvent;
import io.memberpulse.proto.merges.EventOwners;
import io.memberpulse.proto.merges.IdentityChange;
import io.memberpulse.proto.store.ErasedMembers;
import io.micrometer.core.instrument.Counter;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * Scores on the seeds' "event + window" cadence: members touched by new purchase facts are scored
 * at once, as of the stream's event-time clock; everyone is re-scored when the clock moves. A score
 * is published on churn.scores when it is new, moved by the publish threshold, older than restate-after, or its last
 * send was never acknowledged. A member whose stored score no longer holds (no purchase left: every order refunded or retracted, all
 * of them moved away by a split) is withdrawn from churn.scores with a tombstone before the score is deleted, so that
 * campaign-service and rfm-service drop it too; a member a merge absorbed is not (both apply member.merges themselves,
 * and the absorbed member's score becomes the survivor's there). One scoring at a time, identity changes
 * (member.merges) included: facts under an absorbed member's id are recorded for its survivor, and a merge or split is
 * moved, its members re-scored and the absorbed ones forgotten at once.
 */
@ApplicationScoped
public class ScoreMembersService {
    private static final Logger LOG = Logger.getLogger(ScoreMembersService.class);
    private static final int PAGE = 2_000;
    private static final long BUSY_WINDOW_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(5);
    private static final long MAX_REFRESH_DELAY_NANOS = java.util.concurrent.TimeUnit.MINUTES.toNanos(2);

    private final FactRepository facts;
    private final ModelInputRepository inputs;
    private final ScoreRepository scores;
    private final StreamClockRepository streamClock;
    private final IdentityChangeRepository identities;
    private final ScoreCache cache;
    private final ScoreCacheWrites cacheWrites;
    private final ChurnScorePublisher publisher;
    private final RhythmChurnModel model;
    private final ModelRegistry models;
    private final int horizonDays;
    private final ScorePublication publication;
    private final ScoringMeters meters;
    private final java.time.Duration maxClockLead;
    /** Scoring (or forgetting) attempts of a member another replica's newer score keeps overtaking (UntilUnchanged). */
    private static final int MAX_ATTEMPTS = 5;
    /** Held through a full re-scoring (refreshAll), which takes the scoring lock (this) only a page at a time. */
    private final java.util.concurrent.locks.ReentrantLock refreshing = new java.util.concurrent.locks.ReentrantLock();
    /** Wall-clock times of this replica's last full refresh (read and written under refreshing) and of the last recorded batch. */
    private long lastFullRefreshNanos = System.nanoTime();
    private volatile long lastBatchNanos;
    /**
     * Whether the broker is away (the last send failed, churn.scores unwritable: {@link ProbeBackoff#failing()}), and
     * when publishUnpublished tries it again. While it is away scorings store their scores unpublished without trying,
     * and publishUnpublished tries one member at the ticks this lets it, until the broker takes it: a failed try holds
     * the scoring lock up to the producer's bounds (about 40 s), the event batches waiting behind it, so the waits grow
     * while it stays away.
     */
    private final ProbeBackoff probes;
    /**
     * Set by sentAgain, under the scoring lock, while its scoring tries the broker: its sends are tried though the
     * broker is away, until one of them fails (which clears it).
     */
    private boolean trying;
    /**
     * The longest wait between two tries while the broker stays away: the scores left unpublished go out at most this
     * long (and a tick) after it is back, and once the waits reach it a failed try holds the scoring lock about a
     * quarter of the time.
     */
    private static final java.time.Duration PROBE_MAX_WAIT = java.time.Duration.ofMinutes(2);

    public ScoreMembersService(FactRepository facts, ModelInputRepository inputs, ScoreRepository scores,
            StreamClockRepository streamClock, IdentityChangeRepository identities, ScoreCache cache,
            ScoreCacheWrites cacheWrites, ChurnScorePublisher publisher, ChurnConfig config, ModelRegistry models,
            ScoringMeters meters) {
        this.facts = facts;
        this.inputs = inputs;
        this.scores = scores;
        this.streamClock = streamClock;
        this.identities = identities;
        this.cache = cache;
        this.cacheWrites = cacheWrites;
        this.publisher = publisher;
        this.models = models;
        this.horizonDays = config.churn().horizonDays();
        this.model = new RhythmChurnModel(config.churn().horizonDays(), config.churn().defaultGapDays());
        this.publication = new ScorePublication(config.churn().publishThreshold(), config.churn().restateAfter());
        this.meters = meters;
        this.maxClockLead = config.churn().maxClockLead();
        this.probes = new ProbeBackoff(config.churn().refreshEvery(), PROBE_MAX_WAIT, System::nanoTime);
    }

    public int horizonDays() {
        return horizonDays;
    }

    /**
     * Scores with the version promoted in the database when another replica promoted (or retired) one; the next
     * refresh then re-scores everyone with it (the last full re-scoring names another model).
     */
    public void followPromotedModel() {
        models.follow();
    }

    /**
     * Records a batch from member.events, each event for the member a split gave it to and an absorbed member's
     * events for its survivor, and re-scores the members it touched. The look-up and the inserts share one
     * transaction under the identity lock (IdentityChangeRepository.inRecordingTransaction): a merge or split applied
     * meanwhile by another replica either committed before the look-up or waits for this commit and then moves these
     * facts itself. After the commit, the batch's lines that a retraction committed meanwhile on another replica are
     * deleted (FactRepository.deleteRetractedAmong). Blocking.
     */
    public synchronized void record(List<MemberEvent> events) {
        Instant latest = events.stream().map(event -> MemberEventFacts.occurredAt(event.getEvent())).max(Instant::compareTo).orElse(null);
        if (latest == null) {
            return;
        }
        lastBatchNanos = System.nanoTime();
        List<ArrivingEvent> arriving = EventOwners.arriving(events);
        Recorded recorded = identities.inRecordingTransaction(transaction -> identities.ownersOf(transaction, arriving)
                .chain(owners -> ErasedMembers.withoutErased(transaction, EventOwners.underOwners(events, owners))
                        .chain(kept -> insert(transaction, kept)))).await().indefinitely();
        meters.erasedEventsDropped(recorded.dropped());
        Set<String> touched = new LinkedHashSet<>(recorded.touched());
        touched.addAll(facts.deleteRetractedAmong(recorded.lineKeys()).await().indefinitely());
        Instant clock = streamClock.advanceWatermark(cappedClock(events, latest)).await().indefinitely();
        if (!touched.isEmpty()) {
            score(touched, clock, false, Set.of(), meters.withdrawnForNoPurchase);
        }
    }

    /**
     * The batch's latest event time, but no later than this replica's clock plus max-clock-lead: one event stamped in
     * the future must not age every member, as the clock never moves back. Such an event is stored as stamped and
     * counts (scoring reads nothing after the clock) once the clock reaches it.
     */
    private Instant cappedClock(List<MemberEvent> events, Instant latest) {
        Instant lead = Instant.now().plus(maxClockLead);
        if (!latest.isAfter(lead)) {
            return latest;
        }
        meters.eventsAheadOfClock.increment(events.stream().filter(event -> MemberEventFacts.occurredAt(event.getEvent()).isAfter(lead)).count());
        LOG.debugf("an event at %s is ahead of this replica's clock: the event-time clock moves only to %s", latest, lead);
        return lead;
    }

    /**
     * What a batch stored: the members whose purchases it added or took back, and the keys of its lines and
     * retractions (looked at again after the commit).
     */
    private record Recorded(Set<String> touched, List<FactRepository.LineKey> lineKeys, int dropped) {
    }

    /**
     * Stores the batch's facts in the recording transaction (a duplicate_order event un-counts the line published
     * before under its key, whichever member holds it now). Touched: the buyers, the members the retractions name and
     * whoever held a line deleted.
     */
    private Uni<Recorded> insert(SqlConnection transaction, ErasedMembers.Kept kept) {
        MemberEventFacts batch = MemberEventFacts.of(kept.events());
        Set<String> touched = new LinkedHashSet<>(batch.buyers());
        // The member each retraction names (after split owners and aliases) holds its line, whether or not this attempt
        // deletes it: a retry after an attempt that committed the delete but failed to score deletes nothing, and the
        // DELETE's RETURNING alone would leave that member's score counting the line.
        touched.addAll(batch.retractingMembers());
        return facts.insertPurchases(transaction, batch.purchases())
                .chain(() -> facts.retractPurchases(transaction, batch.retracted())).invoke(touched::addAll)
                .chain(() -> facts.insertActivities(transaction, batch.activities()))
                .chain(() -> facts.insertStockOuts(transaction, batch.stockOuts()))
                .chain(() -> facts.upsertMemberNumbers(transaction, batch.memberNumbers()))
                .replaceWith(() -> new Recorded(touched, batch.lineKeys(), kept.dropped()));
    }

    /**
     * Applies identity changes in order (member.merges): moves the facts (once per change), then re-scores
     * every member involved as of the clock and forgets those left without a score: their score leaves PostgreSQL,
     * Redis and the rankings. One a split left without purchases is withdrawn from churn.scores (a tombstone); an
     * absorbed member is not: campaign-service and rfm-service read member.merges themselves and give its score to the
     * survivor. Re-scoring runs on re-delivery too: it changes nothing when the state is right, and repairs it when a
     * crash came between the move and the scoring. An erasure deletes its members' rows (IdentityChangeRepository)
     * and then their Redis entries; they are neither scored nor withdrawn. Blocking.
     */
    public synchronized void rekey(List<IdentityChange> changes) {
        Set<String> involved = new LinkedHashSet<>();
        Set<String> mergedAway = mergedAway(changes);
        Set<String> erased = new LinkedHashSet<>();
        List<ChurnScore> erasedScores = new ArrayList<>();
        for (IdentityChange change : changes) {
            IdentityChangeRepository.Applied applied = identities.apply(change).await().indefinitely();
            meters.identityChange(change, applied.applied());
            if (change instanceof IdentityChange.Erasure) {
                erased.addAll(applied.members());
                erasedScores.addAll(applied.erasedScores());
            } else {
                involved.addAll(applied.members());
            }
        }
        // Their rows are gone (and nothing is published for them: churn.scores is not compacted, and campaign- and
        // rfm-service apply the erasure from member.merges themselves); Redis forgets them through the missed-write
        // ledger, so an outage now is repaired by the next tick. Every time, a redelivery included: a crash may have
        // come between the commit and this.
        cacheWrites.write(erased, () -> cache.removeAll(erased, erasedScores).await().indefinitely());
        involved.removeAll(erased);
        mergedAway.removeAll(erased);
        if (involved.isEmpty()) {
            return;
        }
        Instant clock = streamClock.watermark().await().indefinitely().orElse(null);
        // Without a clock nothing is scored: every member involved is forgotten. Else score() has taken away the
        // stored scores of those left without one; the rest may still be cached (a crash between the two stores).
        forget(clock == null ? involved : score(involved, clock, true, mergedAway, meters.withdrawnByIdentityChange),
                mergedAway);
    }

    /** The members the changes leave absorbed by a merge (a later split may make one a member of its own again). */
    private static Set<String> mergedAway(List<IdentityChange> changes) {
        Set<String> absorbed = new HashSet<>();
        for (IdentityChange change : changes) {
            if (change instanceof IdentityChange.Merge merge) {
                absorbed.add(merge.absorbedMemberId());
            } else if (change instanceof IdentityChange.Split split) {
                split.parts().forEach(part -> absorbed.remove(part.memberId()));
            }
        }
        return absorbed;
    }

    /**
     * Takes the members' scores out of PostgreSQL, Redis and the rankings, and withdraws those it finds from
     * churn.scores but for the members merged away (deleted without a withdrawal). Withdrawn before the delete, as
     * scoreOnce does: a send that fails (or is not tried while the broker is away) does not fail the batch, since a
     * merge arriving during a long outage would be held past the 10 minutes a record may wait: the score stays stored
     * (and cached) marked unpublished, and publishUnpublished scores its member again once the broker takes sends,
     * withdrawing it then (or publishing it, when the member has purchases again). Only the scores read are deleted;
     * one another replica stored since is read, withdrawn and deleted in turn.
     */
    private void forget(Collection<String> memberIds, Set<String> mergedAway) {
        if (memberIds.isEmpty()) {
            return;
        }
        List<ChurnScore> removed = new ArrayList<>();
        Set<String> leftUnpublished = new HashSet<>();
        Collection<String> left = UntilUnchanged.repeat(memberIds, MAX_ATTEMPTS, pending -> {
            ScoreRepository.StoredScores stored = scores.storedScoresOf(pending).await().indefinitely();
            Map<String, Instant> deleting = new HashMap<>(stored.versions());
            List<String> withdrawing = deleting.keySet().stream().filter(id -> !mergedAway.contains(id)).toList();
            if (!sent(withdrawing.isEmpty() ? null : publisher.withdraw(withdrawing), "withdrawals")) {
                scores.markUnpublished(withdrawing).await().indefinitely();
                withdrawing.forEach(deleting::remove);
                leftUnpublished.addAll(withdrawing);
                withdrawing = List.of();
            }
            meters.withdrawnByIdentityChange.increment(withdrawing.size());
            List<ChurnScore> deleted = scores.deleteScoresIfUnchanged(deleting).await().indefinitely();
            removed.addAll(deleted);
            Set<String> deletedIds = deleted.stream().map(ChurnScore::memberId).collect(Collectors.toSet());
            return deleting.keySet().stream().filter(id -> !deletedIds.contains(id)).toList();
        });
        if (!left.isEmpty()) {
            LOG.warnf("%d scores to forget overtaken by other replicas %d times in a row, left stored",
                    left.size(), MAX_ATTEMPTS);
        }
        // A score left stored stays cached as it is, so that Redis and PostgreSQL serve the same one until withdrawn.
        List<String> uncaching = memberIds.stream().filter(id -> !leftUnpublished.contains(id)).toList();
        cacheWrites.write(uncaching, () -> cache.removeAll(uncaching, removed).await().indefinitely());
    }

    /**
     * Puts every stored score back into Redis when Redis lost them (no completeness mark): scores already cached
     * (written since) are left as they are. Until it is done TopRisk reads PostgreSQL. First takes out of Redis the
     * scores it missed while unreachable, with the completeness mark (ScoreCacheWrites.repairMissed), so that they are
     * refilled too. One refill at a time over all replicas (ScoreCache.beginRefill): every replica's tick calls this,
     * and a refill restarted by each would never finish; a tick during another replica's refill leaves it be. Takes the
     * scoring lock a page at a time, as refreshAll does, so event batches are not held back for the whole refill.
     * Blocking.
     */
    public void refillCacheIfLost() {
        synchronized (this) {
            cacheWrites.repairMissed();
        }
        if (cache.isComplete().await().indefinitely()) {
            return;
        }
        Optional<String> began = cache.beginRefill().await().indefinitely();
        if (began.isEmpty()) {
            LOG.debugf("another replica is refilling the churn scores in Redis: left to it");
            return;
        }
        String refill = began.get();
        try {
            refillWith(refill);
        } catch (RuntimeException | Error failed) {
            try {
                cache.endRefill(refill).await().indefinitely();
            } catch (RuntimeException alsoFailed) {
                failed.addSuppressed(alsoFailed); // its turn runs out by itself (ScoreCache.REFILL_TURN)
            }
            throw failed;
        }
    }

    private void refillWith(String refill) {
        long refilled = 0;
        String after = "";
        while (true) {
            if (!cache.holdRefill(refill).await().indefinitely()) {
                LOG.infof("Redis lost churn scores during their refill (or its turn ran out): refilling again at the next tick");
                return;
            }
            String from = after;
            RefilledPage page;
            synchronized (this) { // the scoring lock a page at a time, as refreshPage takes it
                // a page read and cached while no merge can take one of its members away (see whileIdentitiesStay)
                page = identities.whileIdentitiesStay(() -> refillPage(from));
            }
            if (page.stored().isEmpty()) {
                break;
            }
            refilled += page.missing();
            after = page.stored().get(page.stored().size() - 1).memberId();
        }
        if (!cache.markComplete(refill).await().indefinitely()) {
            // Redis lost its data again while refilling (or a repair took the token): the next tick refills.
            LOG.infof("Redis lost churn scores during their refill: refilling again at the next tick");
            return;
        }
        if (refilled > 0) {
            LOG.infof("Redis had lost %,d churn scores: refilled from PostgreSQL", refilled);
        }
    }

    /** A page of stored scores, and how many of them Redis had lost. */
    private record RefilledPage(List<ChurnScore> stored, int missing) {
    }

    /** Caches the page of stored scores after a member id that Redis lacks; those cached since are left as they are. */
    private RefilledPage refillPage(String after) {
        List<ChurnScore> stored = scores.scoresAfter(after, PAGE).await().indefinitely();
        return new RefilledPage(stored, cacheWhileStored(stored));
    }

    /**
     * Caches scores read from PostgreSQL for members Redis has none of, and takes out again those whose row is gone
     * since the read: another replica may have deleted one (every order refunded) and cleared Redis between that read
     * and this write, and the deleted score would be served for good. A score cached meanwhile is newer than the one
     * read and stays. How many it cached and left.
     */
    private int cacheWhileStored(List<ChurnScore> read) {
        List<ChurnScore> put = cache.putMissing(read).await().indefinitely();
        if (put.isEmpty()) {
            return 0;
        }
        Set<String> stillStored = scores.storedScoresOf(put.stream().map(ChurnScore::memberId).toList())
                .await().indefinitely().versions().keySet();
        List<ChurnScore> deleted = put.stream().filter(score -> !stillStored.contains(score.memberId())).toList();
        cache.removeIfStillCached(deleted).await().indefinitely();
        return put.size() - deleted.size();
    }

    /**
     * Takes members who have no score, and none stored, out of Redis: each time, as it costs little and changes
     * nothing when they are not cached. Redis may still hold one: its removal failed after the row was deleted, and
     * the batch's retry (or the next refresh) finds nothing stored and lands here. A score another replica stored
     * meanwhile, and may have cached just before this removal, is cached again.
     */
    private void uncache(Set<String> unscored) {
        if (unscored.isEmpty()) {
            return;
        }
        cacheWrites.write(unscored, () -> {
            cache.removeAll(unscored, List.of()).await().indefinitely();
            cacheWhileStored(List.copyOf(scores.scoresOf(unscored).await().indefinitely().values()));
        });
    }

    /**
     * Re-scores every member as of the clock, when it moved or another model is in use since the last full
     * re-scoring any replica finished (ChurnClock runs it in one replica at a time). Takes the scoring lock a page at a
     * time: a full re-scoring of many members would otherwise hold event batches back for minutes. Blocking.
     */
    public void refreshAll() {
        // One full re-scoring at a time in this replica (a test or a slow tick may call it beside the scheduled one).
        refreshing.lock();
        try {
            Instant clock = streamClock.watermark().await().indefinitely().orElse(null);
            if (clock == null || streamIsBusy()) {
                return;
            }
            ScoreRepository.ScoreRefresh refresh = new ScoreRepository.ScoreRefresh(clock,
                    models.current().map(TrainedChurnModel::version).orElse(null));
            Optional<ScoreRepository.ScoreRefresh> last = scores.lastRefresh().await().indefinitely();
            if (last.isPresent() && !clock.isAfter(last.get().clock())
                    && Objects.equals(refresh.modelVersion(), last.get().modelVersion())) {
                return;
            }
            String after = "";
            while (true) {
                List<String> page = inputs.memberIdsAfter(after, PAGE).await().indefinitely();
                if (page.isEmpty()) {
                    break;
                }
                refreshPage(page);
                after = page.get(page.size() - 1);
            }
            // The clock it started with: when a batch moved the clock meanwhile, the next tick re-scores everyone again
            // (the pages before that move were scored as of the older clock).
            scores.recordRefresh(refresh).await().indefinitely();
            lastFullRefreshNanos = System.nanoTime();
        } finally {
            refreshing.unlock();
        }
    }

    /**
     * Scores a page of the full re-scoring under the scoring lock, as of the clock read under it: a batch recorded
     * between pages may have moved the clock and scored its members as of it, and a score's as-of never goes back.
     */
    private synchronized void refreshPage(List<String> page) {
        Instant clock = streamClock.watermark().await().indefinitely().orElseThrow(); // set once, never removed
        score(page, clock, false, Set.of(), meters.withdrawnForNoPurchase);
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

    /**
     * @param rewrite store and publish every score made, moved or not (a merge or split changed whose history
     *     it explains)
     * @param mergedAway members a merge absorbed: a stored score of theirs is deleted without a withdrawal
     * @param withdrawals counts the withdrawals sent, under the reason the caller knows
     * @return the members who have no score now (no order left) and had none stored: a stored score is taken away
     *     here (every order refunded, a member absorbed), and Redis has forgotten them too
     */
    private Set<String> score(Collection<String> memberIds, Instant asOf, boolean rewrite, Set<String> mergedAway,
            Counter withdrawals) {
        // Another replica's merge waits until these scores are written, cached and published (see whileIdentitiesStay)
        return identities.whileIdentitiesStay(() -> scoreNow(memberIds, asOf, rewrite, mergedAway, withdrawals));
    }

    private Set<String> scoreNow(Collection<String> memberIds, Instant asOf, boolean rewrite, Set<String> mergedAway,
            Counter withdrawals) {
        Set<String> unscored = new HashSet<>();
        Set<String> withdrawn = new HashSet<>();
        Collection<String> left = UntilUnchanged.repeat(memberIds, MAX_ATTEMPTS, pending -> {
            Scored scored = scoreOnce(pending, asOf, rewrite, mergedAway, withdrawn, withdrawals);
            unscored.addAll(scored.unscored());
            return scored.overtaken();
        });
        if (!left.isEmpty()) {
            // Each attempt lost to a newer write: those writers have scored them; the next refresh checks again.
            LOG.warnf("%d scores overtaken by other replicas %d times in a row, left to the next refresh",
                    left.size(), MAX_ATTEMPTS);
        }
        return unscored;
    }

    /** What one scoring attempt left: members without a score (and none stored), and those another replica overtook. */
    private record Scored(Set<String> unscored, List<String> overtaken) {
    }

    /**
     * @param withdrawn members withdrawn from churn.scores by an earlier attempt whose delete another replica's newer
     *     score overtook: that score may have been published before the tombstone, so theirs is published again; this
     *     attempt adds the members it withdraws
     */
    private Scored scoreOnce(Collection<String> memberIds, Instant asOf, boolean rewrite, Set<String> mergedAway,
            Set<String> withdrawn, Counter withdrawals) {
        // The stored scores are read before the facts: a fact recorded after the read below is scored by the replica
        // that recorded it, and its write moves the version this attempt's writes are conditional on (they then fail
        // and the member is scored again), whichever of the two writes first.
        ScoreRepository.StoredScores stored = scores.storedScoresOf(memberIds).await().indefinitely();
        Map<String, ChurnScore> previous = stored.scores();
        Map<String, List<Purchase>> purchases = inputs.purchasesOf(memberIds).await().indefinitely();
        Optional<TrainedChurnModel> trained = models.current();
        Map<String, Double> probabilities = trained.isEmpty() ? Map.of()
                : trained.get().score(inputs.activitiesOf(memberIds).await().indefinitely(), inputs.stockOutsSeenAt(asOf).await().indefinitely(), asOf);
        List<ChurnScore> changed = new ArrayList<>();
        Set<String> unscored = new HashSet<>();
        Map<String, Instant> noLongerScored = new HashMap<>();
        for (String memberId : memberIds) {
            Optional<ChurnScore> score = model.score(memberId, purchases.getOrDefault(memberId, List.of()), asOf);
            Double probability = probabilities.get(memberId);
            if (score.isPresent() && probability != null) {
                score = Optional.of(score.get().withModel(probability, trained.get().version()));
            }
            if (score.isEmpty()) {
                if (previous.containsKey(memberId)) {
                    noLongerScored.put(memberId, stored.versions().get(memberId));
                } else {
                    unscored.add(memberId);
                }
            } else if (rewrite || stored.unpublished().contains(memberId) || withdrawn.contains(memberId)
                    || publication.worthPublishing(score.get(), previous.get(memberId))) {
                changed.add(score.get());
            }
        }
        // In PostgreSQL's precision, so that markPublished finds the rows by it.
        Instant scoredAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
        Set<String> writtenIds = scores.upsertScores(changed, stored.versions(), scoredAt).await().indefinitely();
        List<ChurnScore> written = changed.stream().filter(score -> writtenIds.contains(score.memberId())).toList();
        // A Redis write that fails is recorded for repair, not failed: the scores are stored, and are published
        cacheWrites.write(written.stream().map(ChurnScore::memberId).toList(), () -> cache.putAll(written, previous).await().indefinitely());
        // Only once sent: a score stored and never acknowledged (the send failed or was not tried, the replica died) is
        // sent by publishUnpublished, the batch's redelivery or the next full refresh, though it no longer moves.
        // A send that fails does not fail the batch: its facts and scores are stored.
        if (sent(written.isEmpty() ? null : publisher.publish(written), "scores")) {
            scores.markPublished(written, scoredAt).await().indefinitely();
            meters.published.increment(written.size());
            written.forEach(score -> withdrawn.remove(score.memberId()));
        }
        // Scored before, nothing to score now (every order refunded): the old score must not stay served. Withdrawn
        // before the delete; a send that fails leaves the score stored and marked unpublished, and publishUnpublished
        // (or the next full refresh) scores it again and withdraws it then.
        List<String> withdrawing = noLongerScored.keySet().stream().filter(id -> !mergedAway.contains(id)).toList();
        if (!sent(withdrawing.isEmpty() ? null : publisher.withdraw(withdrawing), "withdrawals")) {
            scores.markUnpublished(withdrawing).await().indefinitely();
            withdrawing.forEach(noLongerScored::remove);
            withdrawing = List.of();
        }
        withdrawals.increment(withdrawing.size());
        withdrawn.addAll(withdrawing);
        List<ChurnScore> removed = scores.deleteScoresIfUnchanged(noLongerScored).await().indefinitely();
        Set<String> removedIds = removed.stream().map(ChurnScore::memberId).collect(Collectors.toSet());
        cacheWrites.write(removedIds, () -> cache.removeAll(removedIds, removed).await().indefinitely());
        uncache(unscored);
        List<String> overtaken = new ArrayList<>();
        changed.stream().map(ChurnScore::memberId).filter(id -> !writtenIds.contains(id)).forEach(overtaken::add);
        noLongerScored.keySet().stream().filter(id -> !removedIds.contains(id)).forEach(overtaken::add);
        return new Scored(unscored, overtaken);
    }

    /**
     * Whether the broker took the send (null: nothing to send). Not tried while the last send failed; one that fails
     * within {@link RecordBatches#OUTPUT_SEND_TIMEOUT} or not at all marks the broker away, and is logged rather than
     * thrown.
     */
    private boolean sent(Uni<Void> send, String what) {
        if (send == null) {
            return true;
        }
        if (probes.failing() && !trying) {
            return false;
        }
        try {
            send.ifNoItem().after(RecordBatches.OUTPUT_SEND_TIMEOUT).fail().await().indefinitely();
            return true;
        } catch (RuntimeException e) {
            // A try's failure is counted by publishUnpublished (probes.failed()), once it is over.
            probes.wentAway();
            trying = false;
            LOG.warnf("churn.scores did not take the %s: left stored unpublished, sent again once it does (%s)", what,
                    e.getMessage());
            return false;
        }
    }

    /**
     * Sends the scores stored but never acknowledged (churn.scores away when they were made, a replica stopped before
     * its send), re-scoring their members a page at a time under the scoring lock as of the clock, as a full
     * re-scoring would: a score left unpublished is published whether or not it moved, and one whose member no longer
     * has a purchase is withdrawn. While the last send failed, one member is tried first, and only when
     * {@link #probes} says a try is due. Blocking.
     */
    public void publishUnpublished() {
        if (streamClock.watermark().await().indefinitely().isEmpty() || !probes.due()) {
            return;
        }
        String after = "";
        int page = probes.failing() ? 1 : PAGE;
        while (true) {
            List<String> members = scores.unpublishedMemberIdsAfter(after, page).await().indefinitely();
            if (members.isEmpty()) {
                return;
            }
            if (!sentAgain(members)) {
                LOG.infof("churn.scores still away: the scores left unpublished are tried again in %d s",
                        probes.failed().toSeconds());
                return;
            }
            probes.succeeded();
            after = members.get(members.size() - 1);
            page = PAGE;
        }
    }

    /** Scores the page again, trying to send whatever the last failed send left; whether the broker took it. */
    private synchronized boolean sentAgain(List<String> members) {
        trying = true;
        try {
            Instant clock = streamClock.watermark().await().indefinitely().orElseThrow(); // set once, never removed
            score(members, clock, false, Set.of(), meters.withdrawnForNoPurchase);
            return trying;
        } finally {
            trying = false;
        }
    }
}
