package io.memberpulse.churn;

import io.memberpulse.churn.domain.Purchase;
import io.memberpulse.churn.domain.features.StockOut;
import io.memberpulse.churn.store.FactRepository;
import io.memberpulse.proto.identity.v1.ChannelEvent;
import io.memberpulse.proto.identity.v1.EventType;
import io.memberpulse.proto.identity.v1.MemberEvent;
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
 * What churn-service keeps of a batch of member.events: purchase lines (orders and refunds, with item detail),
 * reviews, coupon events and visits as the models read them, stores' stock-outs, each member's POS member number, and
 * the keys of duplicate_order lines, which are not counted and take back a line published before under the same key
 * (whichever member holds it now). Every row keeps the key of the event that reported it, for a later MemberSplit.
 * {@code retractingMembers} are the members the retractions name: the holder of the line now (proto's MemberEvent),
 * once the batch's owners are applied.
 */
record MemberEventFacts(List<FactRepository.StoredPurchase> purchases, List<FactRepository.LineKey> retracted,
        List<FactRepository.StoredActivity> activities, List<FactRepository.StoredStockOut> stockOuts,
        Map<String, String> memberNumbers, Set<String> buyers, Set<String> retractingMembers) {

    static MemberEventFacts of(List<MemberEvent> events) {
        List<FactRepository.StoredPurchase> purchases = new ArrayList<>();
        List<FactRepository.LineKey> retracted = new ArrayList<>();
        List<FactRepository.StoredActivity> activities = new ArrayList<>();
        List<FactRepository.StoredStockOut> stockOuts = new ArrayList<>();
        Map<String, String> memberNumbers = new HashMap<>();
        Set<String> buyers = new LinkedHashSet<>();
        Set<String> retractingMembers = new LinkedHashSet<>();
        for (MemberEvent event : events) {
            var fact = event.getEvent();
            Instant at = occurredAt(fact);
            if (fact.getType() == EventType.EVENT_TYPE_STOCKOUT) {
                toStockOut(event, at).ifPresent(stockOuts::add);
                continue;
            }
            String source = sourceOf(fact);
            boolean retraction = event.getDuplicateOrder() && !event.getNeverCounted(); // flagged on arrival: nothing to take back
            if (retraction) {
                retracted.add(new FactRepository.LineKey(source, fact.getEventId()));
            }
            if (event.getMemberId().isEmpty()) {
                continue;
            }
            if (retraction) {
                retractingMembers.add(event.getMemberId());
            }
            if (!fact.getIdentifiers().getMemberNo().isEmpty()) {
                memberNumbers.put(event.getMemberId(), fact.getIdentifiers().getMemberNo());
            }
            Purchase purchase = toPurchase(event, at);
            if (purchase != null) {
                var line = fact.getLine();
                purchases.add(new FactRepository.StoredPurchase(source, fact.getEventId(), event.getMemberId(), purchase,
                        new FactRepository.LineDetail(blankToNull(line.getSku()), blankToNull(line.getCategory()),
                                line.hasQuantity() ? line.getQuantity() : null,
                                line.hasDiscountAmount() ? line.getDiscountAmount() : null), CountedOrder.sourceOf(event),
                        publicationVersion(event)));
                buyers.add(event.getMemberId());
            }
            FactRepository.StoredActivity activity = toActivity(event, source, at);
            if (activity != null) {
                activities.add(activity);
            }
        }
        return new MemberEventFacts(purchases, retracted, activities, stockOuts, memberNumbers, buyers, retractingMembers);
    }

    /** The keys of the batch's retractions and purchase lines, looked at again after the commit. */
    List<FactRepository.LineKey> lineKeys() {
        List<FactRepository.LineKey> keys = new ArrayList<>(retracted);
        purchases.forEach(p -> keys.add(new FactRepository.LineKey(p.source(), p.eventId())));
        return keys;
    }

    static Instant occurredAt(ChannelEvent fact) {
        return Instant.ofEpochSecond(fact.getOccurredAt().getSeconds(), fact.getOccurredAt().getNanos());
    }

    /** The source as stored, spelled as a split's event keys spell it. */
    private static String sourceOf(ChannelEvent fact) {
        return IdentityChange.EventKey.sourceOf(fact);
    }

    /** MemberEvent.publication_version; null when the publisher gave none (0: it predates the field). */
    static Long publicationVersion(MemberEvent event) {
        return event.getPublicationVersion() == 0 ? null : event.getPublicationVersion();
    }

    private static String blankToNull(String value) {
        return value == null || value.isEmpty() ? null : value;
    }

    /** Reviews, coupon events and visits, as the models read them; null for any other event. */
    static FactRepository.StoredActivity toActivity(MemberEvent event, String source, Instant at) {
        var fact = event.getEvent();
        String kind = switch (fact.getType()) {
            case EVENT_TYPE_REVIEW -> "review";
            case EVENT_TYPE_COUPON_ISSUED -> "coupon_issued";
            case EVENT_TYPE_COUPON_REDEEMED -> "coupon_redeemed";
            case EVENT_TYPE_VISIT -> "visit";
            default -> null;
        };
        if (kind == null) {
            return null;
        }
        Double amount = fact.getCoupon().hasCouponValue() ? fact.getCoupon().getCouponValue() : null;
        int rating = fact.getReview().getRating();
        return new FactRepository.StoredActivity(source, fact.getEventId(), event.getMemberId(), kind, at,
                blankToNull(CountedOrder.orderIdOf(event)), blankToNull(fact.getStoreId()), amount,
                rating >= 1 && rating <= 5 ? rating : null, blankToNull(fact.getReview().getText()), CountedOrder.sourceOf(event),
                publicationVersion(event));
    }

    /** A store's stock-out (no member: see proto/README.md); empty without a store. */
    static Optional<FactRepository.StoredStockOut> toStockOut(MemberEvent event, Instant at) {
        var fact = event.getEvent();
        if (fact.getStoreId().isBlank()) {
            return Optional.empty();
        }
        return Optional.of(new FactRepository.StoredStockOut(sourceOf(fact), fact.getEventId(), new StockOut(at,
                fact.getStoreId(), blankToNull(fact.getLine().getSku()), blankToNull(fact.getLine().getCategory()))));
    }


    /** An order's or refund's paid amount (a refund negative); null for a duplicate line or one without an order. */
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
            return new Purchase(CountedOrder.orderIdOf(event), true, at, fact.getStoreId(), -line.getRefundAmount());
        }
        return null;
    }
}
