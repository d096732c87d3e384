package io.memberpulse.campaign;

import io.memberpulse.campaign.domain.PhoneMask;
import io.memberpulse.campaign.store.ContactRepository;
import io.memberpulse.campaign.store.CouponRepository;
import io.memberpulse.campaign.store.PurchaseRepository;
import io.memberpulse.proto.identity.v1.ChannelEvent;
import io.memberpulse.proto.identity.v1.EventType;
import io.memberpulse.proto.identity.v1.MemberEvent;
import io.memberpulse.proto.identity.v1.OrderLine;
import io.memberpulse.proto.merges.CountedOrder;
import io.memberpulse.proto.merges.IdentityChange;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What campaign-service keeps of a batch of member.events: purchase lines (orders, refunds, coupon
 * redemptions, with store, item and margin rate; a redemption with the order it was used on, whose rate prices the
 * coupon's margin in the campaign's gain), coupons issued and redeemed, the latest phone (masked, and as reported
 * where it was reported unmasked) and member number of each member, the stores seen and the newest event time; and the keys of duplicate_order lines, which are
 * not counted and take back a line published before under the same key (whichever member holds it now).
 * Phones, member numbers and coupons keep the key of the event that reported them, for a later MemberSplit.
 */
record MemberEventFacts(List<PurchaseRepository.Purchase> purchases, List<PurchaseRepository.LineKey> retracted,
        List<ContactRepository.Contact> contacts, List<ContactRepository.MemberNumber> numbers,
        List<CouponRepository.CouponEvent> coupons, Set<String> stores, Instant newest) {

    static MemberEventFacts of(List<MemberEvent> events) {
        List<PurchaseRepository.Purchase> purchases = new ArrayList<>();
        List<PurchaseRepository.LineKey> retracted = new ArrayList<>();
        Map<String, ContactRepository.Contact> contacts = new HashMap<>();
        Map<String, ContactRepository.MemberNumber> numbers = new HashMap<>();
        List<CouponRepository.CouponEvent> coupons = new ArrayList<>();
        Set<String> stores = new LinkedHashSet<>();
        Instant newest = null;
        for (MemberEvent event : events) {
            ChannelEvent fact = event.getEvent();
            Instant at = Instant.ofEpochSecond(fact.getOccurredAt().getSeconds(), fact.getOccurredAt().getNanos());
            newest = newest == null || at.isAfter(newest) ? at : newest;
            if (!fact.getStoreId().isEmpty()) {
                stores.add(fact.getStoreId());
            }
            if (event.getDuplicateOrder() && !event.getNeverCounted()) { // a line flagged on arrival: nothing to take back
                retracted.add(new PurchaseRepository.LineKey(source(fact), fact.getEventId()));
            }
            if (event.getMemberId().isEmpty()) {
                continue;
            }
            String phone = fact.getIdentifiers().getPhone();
            PhoneMask.mask(phone).ifPresent(masked -> contacts.merge(event.getMemberId(),
                    new ContactRepository.Contact(event.getMemberId(), masked, PhoneMask.isMasked(phone) ? null : phone.strip(),
                            at, source(fact), fact.getEventId()),
                    (a, b) -> a.seenAt().isAfter(b.seenAt()) ? a : b));
            String memberNo = fact.getIdentifiers().getMemberNo().strip();
            if (!memberNo.isEmpty()) {
                numbers.merge(event.getMemberId(), new ContactRepository.MemberNumber(event.getMemberId(), memberNo, at,
                        source(fact), fact.getEventId()), (a, b) -> a.seenAt().isAfter(b.seenAt()) ? a : b);
            }
            coupon(event, at).ifPresent(coupons::add);
            if (!event.getDuplicateOrder()) {
                purchase(event, at).ifPresent(purchases::add);
            }
        }
        return new MemberEventFacts(purchases, retracted, List.copyOf(contacts.values()), List.copyOf(numbers.values()),
                coupons, stores, newest);
    }

    /** The keys of the batch's stored lines and of its retractions: looked at again after the batch's commit. */
    List<PurchaseRepository.LineKey> lineKeys() {
        List<PurchaseRepository.LineKey> keys = new ArrayList<>(retracted);
        purchases.forEach(p -> keys.add(new PurchaseRepository.LineKey(p.source(), p.eventId())));
        return keys;
    }

    private static Optional<PurchaseRepository.Purchase> purchase(MemberEvent event, Instant at) {
        ChannelEvent fact = event.getEvent();
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
            return Optional.empty();
        }
        var line = fact.getLine();
        // a refund or redemption of a till's copy of a delivery order applies to the order identity-service counts
        String orderSource = CountedOrder.sourceOf(event);
        String orderId = CountedOrder.orderIdOf(event);
        return Optional.of(new PurchaseRepository.Purchase(source(fact), fact.getEventId(),
                event.getMemberId(), kind, emptyToNull(orderId), emptyToNull(fact.getCoupon().getCampaignId()),
                at, amount, emptyToNull(fact.getStoreId()), emptyToNull(line.getSku()), emptyToNull(line.getCategory()),
                line.hasQuantity() ? line.getQuantity() : null,
                "coupon_redeemed".equals(kind) ? emptyToNull(fact.getCoupon().getCouponId()) : null,
                "coupon_redeemed".equals(kind) ? null : marginRate(line), orderSource,
                event.getPublicationVersion() == 0 ? null : event.getPublicationVersion()));
    }

    /**
     * The line's margin rate when it carries a valid one (identity-service refuses others); else none, and the review
     * prices the line at the default rate.
     */
    private static Double marginRate(OrderLine line) {
        return line.hasMarginRate() && line.getMarginRate() >= 0 && line.getMarginRate() <= 1 ? line.getMarginRate() : null;
    }

    private static Optional<CouponRepository.CouponEvent> coupon(MemberEvent event, Instant at) {
        ChannelEvent fact = event.getEvent();
        boolean issued = fact.getType() == EventType.EVENT_TYPE_COUPON_ISSUED;
        if (!(issued || fact.getType() == EventType.EVENT_TYPE_COUPON_REDEEMED) || fact.getCoupon().getCouponId().isEmpty()) {
            return Optional.empty();
        }
        var coupon = fact.getCoupon();
        return Optional.of(new CouponRepository.CouponEvent(coupon.getCouponId(), event.getMemberId(),
                emptyToNull(coupon.getCampaignId()), coupon.hasCouponValue() ? coupon.getCouponValue() : null, issued, at,
                source(fact), fact.getEventId()));
    }

    /** The source as stored, spelled as a split's event keys spell it ("pos" for SOURCE_POS). */
    private static String source(ChannelEvent fact) {
        return IdentityChange.EventKey.sourceOf(fact);
    }

    private static String emptyToNull(String value) {
        return value == null || value.isEmpty() ? null : value;
    }
}
