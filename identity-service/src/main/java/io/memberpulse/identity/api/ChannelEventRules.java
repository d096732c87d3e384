package io.memberpulse.identity.api;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import io.memberpulse.identity.domain.Identifier;
import io.memberpulse.identity.domain.IdentifierNormalizer;
import io.memberpulse.identity.domain.InvalidIdentifierException;
import io.memberpulse.proto.identity.v1.ChannelEvent;
import io.memberpulse.proto.identity.v1.EventType;
import io.memberpulse.proto.identity.v1.OrderLine;
import io.memberpulse.proto.identity.v1.Source;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The rules of the channel-event format (shared/docs/EVENT-CSV.md) that hold however the event
 * arrived (CSV, JSON or gRPC). Returns every broken rule, each naming its field.
 */
public final class ChannelEventRules {
    private static final Set<String> IDENTIFIER_COLUMNS = Set.of(
            "phone", "union_id", "openid", "member_no", "device_id", "platform_uid", "email");

    /** How far past the wall clock occurred_at may lie unless configured (IdentityConfig.maxFutureSkew). */
    public static final Duration DEFAULT_MAX_FUTURE_SKEW = Duration.ofDays(1);
    /** The earliest occurred_at taken; earlier ones (year 0210 for 2010, -10000) would also fail PostgreSQL's range. */
    public static final Instant EARLIEST_OCCURRED_AT = Instant.parse("1900-01-01T00:00:00Z");

    private final IdentifierNormalizer normalizer;
    private final Clock clock;
    private final Duration maxFutureSkew;

    public ChannelEventRules(IdentifierNormalizer normalizer) {
        this(normalizer, Clock.systemUTC(), DEFAULT_MAX_FUTURE_SKEW);
    }

    /**
     * @param maxFutureSkew how far past {@code clock} an event may have occurred (tills with a fast clock);
     *                      later is refused, because downstream event-time clocks only ever move forward
     */
    public ChannelEventRules(IdentifierNormalizer normalizer, Clock clock, Duration maxFutureSkew) {
        this.normalizer = normalizer;
        this.clock = clock;
        this.maxFutureSkew = maxFutureSkew;
    }

    /**
     * The broken rules of an event, and its identifiers as normalised while checking them (empty when
     * they were not normalised): the import links with these rather than normalise every phone again.
     */
    public record Checked(List<FieldError> errors, List<Identifier> identifiers) {
    }

    /**
     * The event as it is stored and published: a refund amount is the money paid back, so a till that writes a
     * return as -100 means the same refund as one writing 100. Every consumer (rfm's M, campaign's revenue, churn's
     * refund rate) then reads one sign; a negative amount would otherwise add to M there instead of taking away.
     */
    public static ChannelEvent normalised(ChannelEvent event) {
        OrderLine line = event.getLine();
        if (!line.hasRefundAmount() || !(line.getRefundAmount() < 0)) {
            return event;
        }
        return event.toBuilder().setLine(line.toBuilder().setRefundAmount(-line.getRefundAmount())).build();
    }

    /**
     * A typed event (gRPC, Kafka) with every text field trimmed, as the CSV and JSON readers trim their cells: a till
     * padding fixed-width columns ("E1  ", "S001 ") would otherwise send a second event_id for a sale its nightly CSV
     * sends too (counted twice), and a store or order id nobody else writes.
     */
    public static ChannelEvent trimmed(ChannelEvent event) {
        return (ChannelEvent) trimmed((Message) event);
    }

    private static Message trimmed(Message message) {
        Message.Builder builder = null;
        for (Map.Entry<FieldDescriptor, Object> field : message.getAllFields().entrySet()) {
            FieldDescriptor descriptor = field.getKey();
            Object value = field.getValue();
            Object trimmed = value;
            if (descriptor.isRepeated()) {
                continue; // the format has no repeated fields; a future one is taken as sent
            } else if (descriptor.getJavaType() == FieldDescriptor.JavaType.STRING) {
                trimmed = ((String) value).trim();
            } else if (descriptor.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
                trimmed = trimmed((Message) value);
            }
            if (trimmed != value && !trimmed.equals(value)) {
                builder = builder == null ? message.toBuilder() : builder;
                builder.setField(descriptor, trimmed);
            }
        }
        return builder == null ? message : builder.build();
    }

    public List<FieldError> check(ChannelEvent event) {
        return checked(event).errors();
    }

    public Checked checked(ChannelEvent event) {
        List<FieldError> errors = FieldLimits.check(event);
        List<Identifier> identifiers = List.of();
        boolean refusedIdentifier = errors.stream().anyMatch(e -> IDENTIFIER_COLUMNS.contains(e.field()));
        if (event.getEventId().isBlank()) {
            errors.add(new FieldError("event_id", "is required"));
        }
        if (event.getSource() == Source.SOURCE_UNSPECIFIED || event.getSource() == Source.UNRECOGNIZED) {
            errors.add(new FieldError("source", "is required"));
        }
        EventType type = event.getType();
        if (type == EventType.EVENT_TYPE_UNSPECIFIED || type == EventType.UNRECOGNIZED) {
            errors.add(new FieldError("type", "is required"));
        }
        if (!event.hasOccurredAt() || event.getOccurredAt().getSeconds() == 0 && event.getOccurredAt().getNanos() == 0) {
            errors.add(new FieldError("occurred_at", "is required"));
        } else if (event.getOccurredAt().getSeconds() < EARLIEST_OCCURRED_AT.getEpochSecond()
                || event.getOccurredAt().getNanos() < 0 || event.getOccurredAt().getNanos() > 999_999_999) {
            errors.add(new FieldError("occurred_at", "must be a valid instant no earlier than " + EARLIEST_OCCURRED_AT
                    + " (an earlier one is a mistyped year)"));
        } else {
            // rfm and churn age every member by the latest event time they saw, which never moves back:
            // one event from 2099 would make every member dormant for good
            Instant latest = clock.instant().plus(maxFutureSkew);
            long seconds = event.getOccurredAt().getSeconds();
            // seconds compared first: a Timestamp beyond Instant's range would throw rather than be refused
            if (seconds > latest.getEpochSecond() || Instant.ofEpochSecond(seconds, event.getOccurredAt().getNanos()).isAfter(latest)) {
                String occurredAt = seconds > Instant.MAX.getEpochSecond() ? seconds + " s after 1970"
                        : Instant.ofEpochSecond(seconds, event.getOccurredAt().getNanos()).toString();
                errors.add(new FieldError("occurred_at", "is in the future: " + occurredAt + " is later than now plus "
                        + maxFutureSkew + " of accepted clock skew (" + latest + ")"));
            }
        }
        if ((type == EventType.EVENT_TYPE_VISIT || type == EventType.EVENT_TYPE_STOCKOUT) && event.getStoreId().isBlank()) {
            errors.add(new FieldError("store_id", "is required for " + EventFormat.typeName(type) + " events"));
        }
        boolean concernsOrder = type == EventType.EVENT_TYPE_ORDER || type == EventType.EVENT_TYPE_REFUND
                || type == EventType.EVENT_TYPE_REVIEW;
        if (concernsOrder && event.getLine().getOrderId().isBlank()) {
            errors.add(new FieldError("order_id", "is required for " + EventFormat.typeName(type) + " events"));
        }
        if (type == EventType.EVENT_TYPE_ORDER) {
            if (!event.getLine().hasQuantity()) {
                errors.add(new FieldError("quantity", "is required for order lines"));
            }
            if (!event.getLine().hasPaidAmount()) {
                errors.add(new FieldError("paid_amount", "is required for order lines"));
            }
        }
        if (type == EventType.EVENT_TYPE_REFUND && !event.getLine().hasRefundAmount()) {
            errors.add(new FieldError("refund_amount", "is required for refunds"));
        }
        if (type == EventType.EVENT_TYPE_REVIEW && (event.getReview().getRating() < 1 || event.getReview().getRating() > 5)) {
            errors.add(new FieldError("rating", "must be 1..5 for reviews"));
        }
        // EVENT-CSV: coupon events carry their coupon. An issue also names its campaign and value; a redemption may
        // leave those out (a till scans the coupon, not the campaign): campaign-service takes them from the issue.
        boolean issued = type == EventType.EVENT_TYPE_COUPON_ISSUED;
        if ((issued || type == EventType.EVENT_TYPE_COUPON_REDEEMED) && event.getCoupon().getCouponId().isBlank()) {
            errors.add(new FieldError("coupon_id", "is required for " + EventFormat.typeName(type) + " events"));
        }
        if (issued && event.getCoupon().getCampaignId().isBlank()) {
            errors.add(new FieldError("campaign_id", "is required for coupon_issued events"));
        }
        if (issued && !event.getCoupon().hasCouponValue()) {
            errors.add(new FieldError("coupon_value", "is required for coupon_issued events"));
        }
        OrderLine line = event.getLine();
        // Written so that NaN fails too (gRPC and Kafka carry doubles as they are; FieldLimits bounds the amounts).
        if (line.hasMarginRate() && !(line.getMarginRate() >= 0 && line.getMarginRate() <= 1)) {
            errors.add(new FieldError("margin_rate", "must be within 0..1"));
        }
        if (type != EventType.EVENT_TYPE_STOCKOUT && type != EventType.EVENT_TYPE_UNSPECIFIED) {
            var raw = EventFormat.rawIdentifiers(event.getIdentifiers());
            if (raw.isEmpty()) {
                errors.add(new FieldError("identifiers",
                        "at least one of phone, union_id, openid, member_no, device_id, platform_uid, email is required"));
            } else if (!refusedIdentifier) { // an oversized or control-bearing value is refused already, never normalised
                try {
                    identifiers = normalizer.normalize(raw);
                } catch (InvalidIdentifierException e) {
                    errors.add(new FieldError(e.field(), e.getMessage()));
                }
            }
        }
        return new Checked(errors, identifiers);
    }
}
