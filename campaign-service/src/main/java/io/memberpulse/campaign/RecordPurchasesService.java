package io.memberpulse.campaign;

import io.memberpulse.campaign.store.ContactRepository;
import io.memberpulse.campaign.store.CouponRepository;
import io.memberpulse.campaign.store.KnownStoreRepository;
import io.memberpulse.campaign.store.PurchaseRepository;
import io.memberpulse.proto.identity.v1.MemberEvent;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;

/**
 * Keeps what campaign-service needs of member.events: purchases to judge campaigns against their
 * holdouts and for talking points, coupons, masked phones, known stores and event time. Every write is
 * idempotent (keyed by source + event id, coupon id, member, store), so redelivery changes nothing.
 */
@ApplicationScoped
public class RecordPurchasesService {
    private final PurchaseRepository purchases;
    private final ContactRepository contacts;
    private final CouponRepository coupons;
    private final KnownStoreRepository stores;

    public RecordPurchasesService(PurchaseRepository purchases, ContactRepository contacts, CouponRepository coupons,
            KnownStoreRepository stores) {
        this.purchases = purchases;
        this.contacts = contacts;
        this.coupons = coupons;
        this.stores = stores;
    }

    public Uni<Void> record(List<MemberEvent> events) {
        MemberEventFacts facts = MemberEventFacts.of(events);
        return purchases.insert(facts.purchases())
                .chain(() -> contacts.upsert(facts.contacts()))
                .chain(() -> coupons.apply(facts.coupons()))
                .chain(() -> stores.remember(facts.stores(), facts.newest()))
                .chain(() -> stores.advanceClock(facts.newest()));
    }
}
