package io.memberpulse.identity.api;

import com.google.protobuf.Timestamp;
import io.memberpulse.identity.EventCodes;
import io.memberpulse.identity.domain.RawIdentifiers;
import io.memberpulse.proto.identity.v1.ChannelEvent;
import io.memberpulse.proto.identity.v1.Coupon;
import io.memberpulse.proto.identity.v1.EventType;
import io.memberpulse.proto.identity.v1.Identifiers;
import io.memberpulse.proto.identity.v1.OrderLine;
import io.memberpulse.proto.identity.v1.Profile;
import io.memberpulse.proto.identity.v1.Review;
import io.memberpulse.proto.identity.v1.Source;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The channel-event format's columns (shared/docs/EVENT-CSV.md) to and from {@link ChannelEvent}.
 * A CSV row and a JSON object are both a map of column name to text, so both go through here.
 */
public final class EventFormat {
    /** Every column {@link #parse} reads: a JSON event may have no other key; a CSV's other columns are ignored. */
    public static final Set<String> COLUMNS = Set.of("event_id", "source", "type", "occurred_at", "store_id",
            "phone", "union_id", "openid", "member_no", "device_id", "platform_uid", "email",
            "name", "gender", "birth_date", "city", "postcode", "address",
            "order_id", "sku", "category", "quantity", "unit_price", "gross_amount", "discount_amount", "paid_amount",
            "margin_rate", "refund_amount", "rating", "review_text", "coupon_id", "campaign_id", "coupon_value");

    /**
     * ISO-8601 date-time with its offset written +08:00, +0800 or +08 (or Z): exports from Python's %z, Java's
     * default formats and PostgreSQL's text output write the last two, and they name the instant as surely.
     */
    private static final DateTimeFormatter WITH_OFFSET = new DateTimeFormatterBuilder()
            .parseCaseInsensitive().append(DateTimeFormatter.ISO_LOCAL_DATE_TIME)
            .parseLenient().appendOffset("+HH", "Z").toFormatter(Locale.ROOT);

    private final ZoneId defaultZone;

    public EventFormat(ZoneId defaultZone) {
        this.defaultZone = defaultZone;
    }

    /** A channel as the format spells it, in any case ("pos", "POS"), or empty when it names none. */
    public static Optional<Source> source(String code) {
        return EventCodes.source(code);
    }

    /** Why a source is refused, naming the ones there are. */
    public static String unknownSource(String code) {
        return "unknown source " + FieldLimits.quote(code) + " (pos, miniapp, app, delivery, ecommerce, crm, other)";
    }

    /** The event and the cells that could not be read (an unreadable cell is left unset). */
    public record Parsed(ChannelEvent event, List<FieldError> errors) {
    }

    public Parsed parse(Map<String, String> cells) {
        List<FieldError> errors = new ArrayList<>();
        ChannelEvent.Builder event = ChannelEvent.newBuilder();
        event.setEventId(text(cells, "event_id"));
        String source = text(cells, "source");
        if (!source.isEmpty()) {
            source(source).ifPresentOrElse(event::setSource,
                    () -> errors.add(new FieldError("source", unknownSource(source))));
        }
        String type = text(cells, "type");
        if (!type.isEmpty()) {
            try {
                event.setType(EventType.valueOf("EVENT_TYPE_" + type.toUpperCase(Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                errors.add(new FieldError("type", "unknown type " + FieldLimits.quote(type)
                        + " (register, visit, order, refund, review, coupon_issued, coupon_redeemed, stockout)"));
            }
        }
        String occurredAt = text(cells, "occurred_at");
        if (!occurredAt.isEmpty()) {
            try {
                Instant instant = instant(occurredAt);
                event.setOccurredAt(Timestamp.newBuilder().setSeconds(instant.getEpochSecond()).setNanos(instant.getNano()));
            } catch (DateTimeException e) {
                errors.add(new FieldError("occurred_at", "not an ISO-8601 date-time: " + FieldLimits.quote(occurredAt)));
            }
        }
        event.setStoreId(text(cells, "store_id"));
        event.setIdentifiers(Identifiers.newBuilder()
                .setPhone(text(cells, "phone")).setUnionId(text(cells, "union_id")).setOpenid(text(cells, "openid"))
                .setMemberNo(text(cells, "member_no")).setDeviceId(text(cells, "device_id"))
                .setPlatformUid(text(cells, "platform_uid")).setEmail(text(cells, "email")));
        event.setProfile(Profile.newBuilder()
                .setName(text(cells, "name")).setGender(text(cells, "gender")).setBirthDate(text(cells, "birth_date"))
                .setCity(text(cells, "city")).setPostcode(text(cells, "postcode")).setAddress(text(cells, "address")));
        OrderLine.Builder line = OrderLine.newBuilder()
                .setOrderId(text(cells, "order_id")).setSku(text(cells, "sku")).setCategory(text(cells, "category"));
        number(cells, "quantity", errors, line::setQuantity);
        number(cells, "unit_price", errors, line::setUnitPrice);
        number(cells, "gross_amount", errors, line::setGrossAmount);
        number(cells, "discount_amount", errors, line::setDiscountAmount);
        number(cells, "paid_amount", errors, line::setPaidAmount);
        number(cells, "margin_rate", errors, line::setMarginRate);
        number(cells, "refund_amount", errors, line::setRefundAmount);
        event.setLine(line);
        Review.Builder review = Review.newBuilder().setText(text(cells, "review_text"));
        String rating = text(cells, "rating");
        if (!rating.isEmpty()) {
            try {
                review.setRating(Integer.parseInt(rating));
            } catch (NumberFormatException e) {
                errors.add(new FieldError("rating", "not a whole number: " + FieldLimits.quote(rating)));
            }
        }
        event.setReview(review);
        Coupon.Builder coupon = Coupon.newBuilder()
                .setCouponId(text(cells, "coupon_id")).setCampaignId(text(cells, "campaign_id"));
        number(cells, "coupon_value", errors, coupon::setCouponValue);
        event.setCoupon(coupon);
        return new Parsed(event.build(), errors);
    }

    /** ISO-8601 with an offset (see {@link #WITH_OFFSET}), or local time in the configured zone; a date alone is its start of day. */
    Instant instant(String text) {
        String value = text.replace(' ', 'T');
        try {
            return OffsetDateTime.parse(value, WITH_OFFSET).toInstant();
        } catch (DateTimeException withoutOffset) {
            try {
                return LocalDateTime.parse(value, DateTimeFormatter.ISO_LOCAL_DATE_TIME).atZone(defaultZone).toInstant();
            } catch (DateTimeException notLocalDateTime) {
                return LocalDate.parse(value).atStartOfDay(defaultZone).toInstant();
            }
        }
    }

    private static String text(Map<String, String> cells, String column) {
        String value = cells.get(column);
        return value == null ? "" : value.trim();
    }

    private static void number(Map<String, String> cells, String column, List<FieldError> errors, Consumer<Double> setter) {
        String value = text(cells, column);
        if (value.isEmpty()) {
            return;
        }
        try {
            double parsed = Double.parseDouble(value);
            if (!Double.isFinite(parsed)) {
                throw new NumberFormatException();
            }
            setter.accept(parsed);
        } catch (NumberFormatException e) {
            errors.add(new FieldError(column, "not a number: " + FieldLimits.quote(value)));
        }
    }

    static RawIdentifiers rawIdentifiers(Identifiers identifiers) {
        return new RawIdentifiers(identifiers.getPhone(), identifiers.getUnionId(), identifiers.getOpenid(),
                identifiers.getMemberNo(), identifiers.getDeviceId(), identifiers.getPlatformUid(), identifiers.getEmail());
    }

    static String typeName(EventType type) {
        return type.name().substring("EVENT_TYPE_".length()).toLowerCase(Locale.ROOT);
    }
}
