package io.memberpulse.campaign;

import io.memberpulse.campaign.store.ContactRepository;
import io.memberpulse.campaign.store.CouponRepository;
import io.memberpulse.campaign.store.IdentityChangeRepository;
import io.memberpulse.campaign.store.KnownStoreRepository;
import io.memberpulse.campaign.store.PurchaseRepository;
import io.memberpulse.proto.identity.v1.MemberEvent;
import io.memberpulse.proto.merges.ArrivingEvent;
import io.memberpulse.proto.merges.EventOwners;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;

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
 * between and leave the facts under the old id.
 */
@ApplicationScoped
public class RecordPurchasesService {
    private final PurchaseRepository purchases;
    private final ContactRepository contacts;
    private final CouponRepository coupons;
    private final KnownStoreRepository stores;
    private final IdentityChangeRepository identities;

    public RecordPurchasesService(PurchaseRepository purchases, ContactRepository contacts, CouponRepository coupons,
            KnownStoreRepository stores, IdentityChangeRepository identities) {
        this.purchases = purchases;
        this.contacts = contacts;
        this.coupons = coupons;
        this.stores = stores;
        this.identities = identities;
    }

    public Uni<Void> record(List<MemberEvent> events) {
        List<ArrivingEvent> arriving = EventOwners.arriving(events);
        return identities.inRecordingTransaction(connection -> identities.ownersOf(connection, arriving)
                        .map(owners -> MemberEventFacts.of(EventOwners.underOwners(events, owners)))
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
                .replaceWithVoid();
    }
}
