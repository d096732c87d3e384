package io.memberpulse.campaign;

import io.memberpulse.campaign.domain.PhoneMask;
import io.memberpulse.campaign.store.ContactRepository;
import io.memberpulse.campaign.store.PurchaseRepository;
import io.memberpulse.proto.identity.v1.EventType;
import io.memberpulse.proto.identity.v1.MemberEvent;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.List;
import java.util.Locale;

/** Keeps what members buy (orders, refunds, coupon redemptions) to judge campaigns against their holdouts. */
@ApplicationScoped
public class RecordPurchasesService {
    private final PurchaseRepository purchases;
    private final ContactRepository contacts;

    public RecordPurchasesService(PurchaseRepository purchases, ContactRepository contacts) {
        this.purchases = purchases;
        this.contacts = contacts;
    }

    public Uni<Void> record(List<MemberEvent> events) {
        List<PurchaseRepository.Purchase> rows = new ArrayList<>();
        Map<String, ContactRepository.Contact> latestContacts = new HashMap<>();
        for (MemberEvent event : events) {
            var fact = event.getEvent();
            if (event.getMemberId().isEmpty()) {
                continue;
            }
            Instant at = Instant.ofEpochSecond(fact.getOccurredAt().getSeconds(), fact.getOccurredAt().getNanos());
            PhoneMask.mask(fact.getIdentifiers().getPhone()).ifPresent(masked -> latestContacts.merge(event.getMemberId(),
                    new ContactRepository.Contact(event.getMemberId(), masked, at),
                    (a, b) -> a.seenAt().isAfter(b.seenAt()) ? a : b));
            if (event.getDuplicateOrder()) {
                continue;
            }
            String kind;
            double amount;
            if (fact.getType() == EventType.EVENT_TYPE_ORDER && fact.getLine().hasPaidAmount()) {
                kind = "order";
                amount = fact.getLine().getPaidAmount();
            } else if (fact.getType() == EventType.EVENT_TYPE_REFUND && fact.getLine().hasRefundAmount()) {
                kind = "refund";
                amount = -fact.getLine().getRefundAmount();
            } else if (fact.getType() == EventType.EVENT_TYPE_COUPON_REDEEMED) {
                kind = "coupon_redeemed";
                amount = 0;
            } else {
                continue;
            }
            rows.add(new PurchaseRepository.Purchase(fact.getSource().name().substring("SOURCE_".length()).toLowerCase(Locale.ROOT),
                    fact.getEventId(), event.getMemberId(), kind, emptyToNull(fact.getLine().getOrderId()),
                    emptyToNull(fact.getCoupon().getCampaignId()),
                    Instant.ofEpochSecond(fact.getOccurredAt().getSeconds(), fact.getOccurredAt().getNanos()), amount));
        }
        return purchases.insert(rows).chain(() -> contacts.upsert(latestContacts.values()));
    }

    private static String emptyToNull(String value) {
        return value == null || value.isEmpty() ? null : value;
    }
}
