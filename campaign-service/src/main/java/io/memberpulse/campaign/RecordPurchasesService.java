package io.memberpulse.campaign;

import io.memberpulse.campaign.store.ContactRepository;
import io.memberpulse.campaign.store.CouponRepository;
import io.memberpulse.campaign.store.IdentityChangeRepository;
import io.memberpulse.campaign.store.KnownStoreRepository;
import io.memberpulse.campaign.store.PurchaseRepository;
import io.memberpulse.proto.identity.v1.MemberEvent;
import io.memberpulse.proto.kafka.Topics;
import io.memberpulse.proto.merges.ArrivingEvent;
import io.memberpulse.proto.merges.EventOwners;
import io.memberpulse.proto.store.ErasedMembers;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * Keeps what campaign-service needs of member.events: purchases to judge campaigns against their
 * holdouts and for talking points, coupons, masked phones, known stores and event time. Every write is
 * idempotent (keyed by source + event id, coupon id, member, store), so redelivery changes nothing. A duplicate_order
 * event takes back the line published before under its key, so campaign results and revenue stop counting it.
 *
 * <p>Each event is recorded for the member it belongs to now, as rfm-service and churn-service record it: the
 * member a MemberSplit gave it to, else the member it came under, then that member's final survivor when a merge
 * absorbed it. The look-up and the member's facts share one transaction that no identity change overlaps
 * (IdentityChangeRepository's lock, shared), so a split or merge applied by another replica cannot slip in
 * between and leave the facts under the old id. An event that came under or belongs to an erased member
 * (erased_member) is dropped and counted (ErasedFacts), decided in the same transaction by proto's ErasedMembers,
 * as rfm-service and churn-service decide it.
 *
 * <p>A member's first phone staff can dial or first member number replans their store (SopReach), so that a scored
 * member the SOP passed over as unreachable gets their call.
 */
@ApplicationScoped
public class RecordPurchasesService {
    private static final Logger LOG = Logger.getLogger(RecordPurchasesService.class);

    private final PurchaseRepository purchases;
    private final ContactRepository contacts;
    private final CouponRepository coupons;
    private final KnownStoreRepository stores;
    private final IdentityChangeRepository identities;
    private final SopReach reach;
    private final ReplanStoresService replanner;
    private final ErasedFacts erasedFacts;

    public RecordPurchasesService(PurchaseRepository purchases, ContactRepository contacts, CouponRepository coupons,
            KnownStoreRepository stores, IdentityChangeRepository identities, SopReach reach,
            ReplanStoresService replanner, ErasedFacts erasedFacts) {
        this.erasedFacts = erasedFacts;
        this.purchases = purchases;
        this.contacts = contacts;
        this.coupons = coupons;
        this.stores = stores;
        this.identities = identities;
        this.reach = reach;
        this.replanner = replanner;
    }

    public Uni<Void> record(List<MemberEvent> events) {
        List<ArrivingEvent> arriving = EventOwners.arriving(events);
        Set<String> newlyReachable = ConcurrentHashMap.newKeySet();
        return identities.inRecordingTransaction(connection -> identities.ownersOf(connection, arriving)
                        .chain(owners -> ErasedMembers.withoutErased(connection, EventOwners.underOwners(events, owners)))
                        // Dropped, not dead-lettered: no purchase, coupon, phone or member number is kept for them.
                        .invoke(kept -> erasedFacts.dropped(Topics.MEMBER_EVENTS, kept.dropped()))
                        .map(kept -> MemberEventFacts.of(kept.events()))
                        // Read before the batch's phones and numbers are written, so that only their first arrival
                        // replans (most events repeat a phone campaign holds).
                        .call(facts -> !reach.required() ? Uni.createFrom().voidItem()
                                : contacts.newlyReachable(connection, facts.contacts(), facts.numbers())
                                        .invoke(newlyReachable::addAll))
                        .call(facts -> purchases.insert(connection, facts.purchases()))
                        .call(facts -> purchases.retract(connection, facts.retracted()))
                        .call(facts -> contacts.upsert(connection, facts.contacts()))
                        .call(facts -> contacts.upsertNumbers(connection, facts.numbers()))
                        .call(facts -> coupons.apply(connection, facts.coupons())))
                // A retraction committed meanwhile by another replica (or this batch's, of a line another replica
                // stored meanwhile): neither transaction saw the other's row.
                .call(facts -> purchases.deleteRetractedAmong(facts.lineKeys()))
                // Stores and event time name no member: after the commit, outside the lock.
                .call(facts -> stores.remember(facts.stores(), facts.newest()))
                .call(facts -> stores.advanceClock(facts.newest()))
                .call(() -> replanStoresOfNewlyReachable(newlyReachable))
                .replaceWithVoid();
    }

    /**
     * A scored member the SOP passed over as unreachable (SopReach) is called once staff can reach them: their store is
     * replanned as soon as their first dialable phone or member number is recorded. Not retried: the facts are
     * recorded, and a redelivery would find the member reachable already. A replan that fails is logged, and the
     * store's next replan (any score arriving for one of its members, a merge or split, a campaign move) picks
     * the member up; there is no timed replan.
     */
    private Uni<Void> replanStoresOfNewlyReachable(Set<String> members) {
        return replanner.replanStoresOf(members).onFailure().recoverWithItem(failure -> {
            LOG.warnf(failure, "members %s can now be reached, but replanning their stores failed: they get their SOP "
                    + "call at their store's next replan", members);
            return null;
        });
    }
}
