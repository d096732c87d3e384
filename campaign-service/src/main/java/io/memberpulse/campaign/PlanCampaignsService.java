package io.memberpulse.campaign;

import io.memberpulse.campaign.domain.CampaignException;
import io.memberpulse.campaign.domain.CampaignNotFoundException;
import io.memberpulse.campaign.domain.InvalidArgumentException;
import io.memberpulse.campaign.domain.TransitionIncompleteException;
import io.memberpulse.campaign.domain.experiment.Campaign;
import io.memberpulse.campaign.domain.experiment.CampaignState;
import io.memberpulse.campaign.domain.experiment.SampleSize;
import io.memberpulse.campaign.domain.experiment.Target;
import io.memberpulse.campaign.store.CampaignRepository;
import io.memberpulse.campaign.store.KnownStoreRepository;
import io.memberpulse.campaign.store.MemberSegmentRepository;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * Plans campaigns and moves them through plan → live → review → closed. Planning checks the target
 * (a known segment, a known store) and answers with the audience and a sample-size hint; going live
 * enrols the audience by the sticky hash. Neither is accepted once the campaign's window has ended by the service's
 * clock ({@link Campaign#checkNotEnded}). A call campaign's calls follow its holdout while it is live and stop
 * following it when it ends ({@link CallCampaignTasks}). In the background, a live campaign whose end the service's
 * clock has passed is moved to review ({@link #endCampaignsPastTheirEnd()}), and what follows a move that did not
 * finish is finished ({@link #finishFollowUps()}).
 */
@ApplicationScoped
public class PlanCampaignsService {
    private static final Logger LOG = Logger.getLogger(PlanCampaignsService.class);

    private final CampaignRepository campaigns;
    private final MemberSegmentRepository segments;
    private final KnownStoreRepository stores;
    private final CallCampaignTasks callTasks;
    private final MeterRegistry registry;
    private final Duration retryInterval;
    private final Clock clock;

    PlanCampaignsService(CampaignRepository campaigns, MemberSegmentRepository segments, KnownStoreRepository stores,
            CallCampaignTasks callTasks, MeterRegistry registry, CampaignConfig config, Clock clock) {
        this.campaigns = campaigns;
        this.segments = segments;
        this.stores = stores;
        this.callTasks = callTasks;
        this.registry = registry;
        this.retryInterval = config.campaign().followUpRetryInterval();
        this.clock = clock;
    }

    /** A planned campaign, its audience today and the members each arm needs to see the hoped-for uplift. */
    public record Plan(Campaign campaign, long audience, long sampleSizePerArm, long holdoutExpected) {
    }

    public Uni<Plan> plan(Campaign campaign, double baselineRate, double minimumUplift) {
        if (campaign.state() != CampaignState.PLAN) {
            throw new InvalidArgumentException("state", "a new campaign starts in plan");
        }
        campaign.checkPlanned().checkNotEnded(clock.instant());
        long perArm = sampleSize(baselineRate, minimumUplift);
        return checkTarget(campaign.target())
                .chain(() -> Panache.withTransaction(() -> campaigns.save(campaign, clock.instant())))
                .flatMap(saved -> campaigns.audienceSize(campaign.target())
                        .map(audience -> new Plan(saved, audience, perArm,
                                Math.round(audience * campaign.holdoutShare()))));
    }

    /**
     * Moves the campaign one step, then runs what follows the move: going live enrols its audience, and a call
     * campaign's calls follow its holdout ({@link CallCampaignTasks}). The move commits first, recording that its
     * follow-ups have yet to run (followed_up_state stays behind); they are marked done once all of them succeeded.
     * If one fails, the campaign stays in its new state and the caller gets TransitionIncompleteException: asking for
     * the same state again runs the follow-ups of every state it has not finished (each step is idempotent) and
     * answers the campaign, as does the move to the next state before its own. Asking for the state the campaign is
     * in once all that ran answers it unchanged (a client retrying a move whose answer it missed); a move that is not
     * one step forward is a {@link io.memberpulse.campaign.domain.CampaignStateConflictException}, and going live once
     * the campaign's window has ended by the service's clock is refused naming end_at ({@link Campaign#checkNotEnded}).
     */
    public Uni<Campaign> moveTo(String id, CampaignState next) {
        Instant now = clock.instant();
        return Panache.withTransaction(() -> campaigns.stored(id)
                        .onItem().ifNull().failWith(() -> new CampaignNotFoundException(id))
                        .flatMap(stored -> {
                            Campaign campaign = stored.campaign();
                            if (campaign.state() == next) {
                                return Uni.createFrom().item(stored); // a retry: finishing the move if it is unfinished
                            }
                            Campaign moved = campaign.moveTo(next, now);
                            return campaigns.save(moved, now).map(saved -> new CampaignRepository.StoredCampaign(saved,
                                    stored.followedUp()));
                        }))
                .flatMap(stored -> stored.followedUp() == stored.campaign().state()
                        ? Uni.createFrom().item(stored.campaign()) // moved and followed up before: nothing to run
                        : followUp(stored));
    }

    /** The follow-ups of the states the campaign went through since the last ones that all ran, in order. */
    private Uni<Campaign> followUp(CampaignRepository.StoredCampaign stored) {
        Campaign campaign = stored.campaign();
        CampaignState state = campaign.state();
        return StoreTaskPlanner.inOrder(state.since(stored.followedUp()), step -> followUp(campaign, step))
                .chain(() -> Panache.withTransaction(() -> campaigns.followedUp(campaign.id(), state)))
                .onFailure(failure -> !(failure instanceof CampaignException)).transform(failure -> {
                    LOG.errorf(failure, "campaign %s moved to %s, but what follows the move did not finish", campaign.id(),
                            state.code());
                    return new TransitionIncompleteException(campaign.id(), state.code(), failure);
                })
                .replaceWith(campaign);
    }

    @Scheduled(every = "${memberpulse.campaign.follow-up-retry-interval}",
            delayed = "${memberpulse.campaign.follow-up-retry-interval}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> tick() {
        return endCampaignsPastTheirEnd().chain(() -> finishFollowUps()).replaceWithVoid();
    }

    /**
     * Moves every LIVE campaign whose end_at the service's clock has reached (the clock that cuts its results at
     * min(end, now)) to review, as an analyst's move would, and runs what follows: a call campaign's OPEN tasks stop
     * counting for it (released, not cancelled: the SOP wanted those members called before the campaign tagged them,
     * and the replan that follows decides about them as about anyone), no new task is tagged for it and its held-out
     * members are given back. Left LIVE, the SOP kept tagging calls whose gain could never count. Its end_at stays.
     * Returns those moved. A campaign moved meanwhile (an analyst, another replica) is left alone; one whose
     * follow-ups fail stays in review with them unfinished, for {@link #finishFollowUps()}.
     */
    public Uni<List<Campaign>> endCampaignsPastTheirEnd() {
        List<Campaign> ended = new ArrayList<>();
        Instant now = clock.instant();
        return Panache.withSession(() -> campaigns.liveEndedBy(now))
                .chain(ids -> StoreTaskPlanner.inOrder(ids, id -> end(id).invoke(campaign -> {
                    if (campaign != null) {
                        ended.add(campaign);
                    }
                })))
                .replaceWith(ended);
    }

    /** The campaign moved to review at its end, its follow-ups run; null when it was no longer LIVE or that failed. */
    private Uni<Campaign> end(String id) {
        return Panache.withTransaction(() -> campaigns.stored(id).flatMap(stored -> {
                    if (stored == null || stored.campaign().state() != CampaignState.LIVE) {
                        return Uni.createFrom().<CampaignRepository.StoredCampaign>nullItem();
                    }
                    // Moved at its end, so the move keeps end_at (a move before it would end the window there).
                    Campaign campaign = stored.campaign();
                    return campaigns.save(campaign.moveTo(CampaignState.REVIEW, campaign.endAt()), clock.instant())
                            .map(saved -> new CampaignRepository.StoredCampaign(saved, stored.followedUp()));
                }))
                .flatMap(stored -> stored == null ? Uni.createFrom().<Campaign>nullItem() : followUp(stored).invoke(campaign ->
                        LOG.infof("campaign %s: its window ended at %s; moved to review, its calls released",
                                id, campaign.endAt())))
                .onFailure().recoverWithItem(failure -> {
                    LOG.warnf("campaign %s: its window has ended, but moving it to review did not finish (%s); retried in %s",
                            id, failure.getMessage(), retryInterval);
                    return null;
                });
    }

    /**
     * Finishes what follows the moves of campaigns whose followed_up_state lags their state (a move answered 503 and
     * nobody asked for the state again), as asking again would, one campaign after another; returns those finished.
     * A campaign whose follow-ups fail again is left for the next run. Another replica's run, or a request asking for
     * the state again, may finish the same campaign at the same time: the steps are idempotent (enrolment adds who is
     * missing, replans converge under the stores' planning locks, a call given back is OPEN, so it is not given back
     * twice), and followed_up_state only moves to a state the campaign is still in.
     */
    public Uni<List<Campaign>> finishFollowUps() {
        List<Campaign> finished = new ArrayList<>();
        return Panache.withSession(campaigns::lagging)
                .chain(ids -> StoreTaskPlanner.inOrder(ids, id -> finishFollowUps(id).invoke(campaign -> {
                    if (campaign != null) {
                        finished.add(campaign);
                    }
                })))
                .replaceWith(finished);
    }

    /** The campaign once its follow-ups all ran now; null when none were left or they failed again. */
    private Uni<Campaign> finishFollowUps(String id) {
        return Panache.withSession(() -> campaigns.stored(id))
                // Read again: since the list was read, another replica or a request may have finished them.
                .flatMap(stored -> stored == null || stored.followedUp() == stored.campaign().state()
                        ? Uni.createFrom().<Campaign>nullItem()
                        : followUp(stored).invoke(campaign -> {
                            LOG.infof("campaign %s: what follows its moves after %s up to %s finished in the background",
                                    id, stored.followedUp().code(), campaign.state().code());
                            retried("finished");
                        }))
                .onFailure().recoverWithItem(failure -> {
                    LOG.warnf("campaign %s: what follows its last move is still unfinished (%s); retried in %s", id,
                            failure.getMessage(), retryInterval);
                    retried("failed");
                    return null;
                });
    }

    private void retried(String outcome) {
        registry.counter("memberpulse.campaign.follow-ups.retried", "outcome", outcome).increment();
    }

    private Uni<Void> followUp(Campaign campaign, CampaignState step) {
        Uni<Void> enrolled = step == CampaignState.LIVE
                ? campaigns.enrol(campaign, clock.instant()).replaceWithVoid() : Uni.createFrom().voidItem();
        return enrolled.chain(() -> callTasks.follow(campaign, step));
    }

    private Uni<Void> checkTarget(Target target) {
        Uni<Void> segment = !target.targetsSegment() ? Uni.createFrom().voidItem()
                : segments.known(target.segmentId()).flatMap(known -> known ? Uni.createFrom().voidItem()
                        : Uni.createFrom().failure(new InvalidArgumentException("target_segment_id", "unknown segment '"
                                + target.segmentId() + "': no member ever entered it on member.segments "
                                + "(rfm-service names them, e.g. churn-edge, stage:at-risk)")));
        return target.storeId() == null ? segment
                : segment.chain(() -> stores.exists(target.storeId()).flatMap(known -> known ? Uni.createFrom().voidItem()
                        : Uni.createFrom().failure(new InvalidArgumentException("target_store_id", "unknown store '"
                                + target.storeId() + "': no event or churn score names it"))));
    }

    private static long sampleSize(double baselineRate, double minimumUplift) {
        try {
            return SampleSize.perArm(baselineRate, minimumUplift);
        } catch (IllegalArgumentException e) {
            throw new InvalidArgumentException(baselineRate > 0 && baselineRate < 1 ? "minimum_uplift" : "baseline_rate",
                    e.getMessage());
        }
    }
}
