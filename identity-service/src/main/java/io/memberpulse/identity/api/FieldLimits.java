package io.memberpulse.identity.api;

import io.memberpulse.identity.domain.RawIdentifiers;
import io.memberpulse.proto.checks.FieldChecks;
import io.memberpulse.proto.identity.v1.ChannelEvent;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.function.Function;

/**
 * Sizes no real channel event reaches (a 200-digit phone, a 1 MB name): such a value is refused at
 * the edge, naming the field, its size and the limit, before anything reads it further. The limits
 * are generous multiples of what the channels send (a WeChat UnionID has 28 characters, an E.164
 * phone at most 15 digits, an e-mail address at most 254 characters by RFC 5321).
 * <p>
 * Control characters (ISO: U+0000-U+001F, U+007F-U+009F) are refused the same way: PostgreSQL
 * cannot store a NUL in text and would refuse the whole batch with it, and in an id or a code any
 * control character makes an invisible second value (member number M1 with an escape after it is not
 * M1). Free text (review text, address) keeps tab and line breaks, which a quoted CSV cell or a JSON
 * string carries legitimately (a review of several lines, an address written on two).
 */
public final class FieldLimits {
    /** Longest text accepted per column, in characters. */
    static final Map<String, Integer> MAX_LENGTH = new LinkedHashMap<>();
    /** Largest magnitude accepted for quantities, and for amounts in the store currency. */
    static final double MAX_QUANTITY = 100_000;
    static final double MAX_AMOUNT = FieldChecks.MAX_AMOUNT;

    private static final Map<String, Function<ChannelEvent, String>> TEXT = new LinkedHashMap<>();
    /** Columns of prose, where tab, line feed and carriage return are accepted. */
    static final Set<String> FREE_TEXT = Set.of("review_text", "address");

    static {
        text("event_id", 128, ChannelEvent::getEventId);
        text("store_id", 64, ChannelEvent::getStoreId);
        text("phone", 32, e -> e.getIdentifiers().getPhone());
        text("union_id", 128, e -> e.getIdentifiers().getUnionId());
        text("openid", 128, e -> e.getIdentifiers().getOpenid());
        text("member_no", 64, e -> e.getIdentifiers().getMemberNo());
        text("device_id", 128, e -> e.getIdentifiers().getDeviceId());
        text("platform_uid", 128, e -> e.getIdentifiers().getPlatformUid());
        text("email", 254, e -> e.getIdentifiers().getEmail());
        text("name", 100, e -> e.getProfile().getName());
        text("gender", 16, e -> e.getProfile().getGender());
        text("birth_date", 32, e -> e.getProfile().getBirthDate());
        text("city", 64, e -> e.getProfile().getCity());
        text("postcode", 16, e -> e.getProfile().getPostcode());
        text("address", 300, e -> e.getProfile().getAddress());
        text("order_id", 128, e -> e.getLine().getOrderId());
        text("sku", 64, e -> e.getLine().getSku());
        text("category", 200, e -> e.getLine().getCategory());
        text("review_text", 4_000, e -> e.getReview().getText());
        text("coupon_id", 128, e -> e.getCoupon().getCouponId());
        text("campaign_id", 128, e -> e.getCoupon().getCampaignId());
    }

    private FieldLimits() {
    }

    /** The longest text a column accepts, in characters; empty for a column that is no text (a number, a date). */
    public static OptionalInt maxLength(String column) {
        Integer max = MAX_LENGTH.get(column);
        return max == null ? OptionalInt.empty() : OptionalInt.of(max);
    }

    /**
     * Identifiers outside an event, each named as its column (phone, union_id, …): at most the column's length, no
     * control character; absent ones pass.
     */
    public static void checkIdentifiers(RawIdentifiers raw) {
        checkIdentifier("phone", raw.phone());
        checkIdentifier("union_id", raw.unionId());
        checkIdentifier("openid", raw.openid());
        checkIdentifier("member_no", raw.memberNo());
        checkIdentifier("device_id", raw.deviceId());
        checkIdentifier("platform_uid", raw.platformUid());
        checkIdentifier("email", raw.email());
    }

    private static void checkIdentifier(String column, String value) {
        FieldChecks.checkText(column, value, MAX_LENGTH.get(column));
    }

    private static void text(String column, int maxLength, Function<ChannelEvent, String> value) {
        MAX_LENGTH.put(column, maxLength);
        TEXT.put(column, value);
    }

    /** Every column of the event over its limit or holding a control character. */
    static List<FieldError> check(ChannelEvent event) {
        List<FieldError> errors = new ArrayList<>();
        TEXT.forEach((column, value) -> {
            String text = value.apply(event);
            if (text.length() > MAX_LENGTH.get(column)) {
                errors.add(new FieldError(column, "is " + text.length() + " characters long, at most "
                        + MAX_LENGTH.get(column) + " are accepted"));
                return;
            }
            boolean freeText = FREE_TEXT.contains(column);
            for (int i = 0; i < text.length(); i++) {
                char c = text.charAt(i);
                if (Character.isISOControl(c) && !(freeText && (c == '\t' || c == '\n' || c == '\r'))) {
                    errors.add(new FieldError(column, "contains the control character "
                            + String.format(Locale.ROOT, "U+%04X", (int) c) + " at character " + (i + 1)
                            + (freeText ? " (tab and line breaks are the only ones accepted)" : "")));
                    return;
                }
            }
        });
        var line = event.getLine();
        magnitude(errors, "quantity", line.hasQuantity(), line.getQuantity(), MAX_QUANTITY);
        magnitude(errors, "unit_price", line.hasUnitPrice(), line.getUnitPrice(), MAX_AMOUNT);
        magnitude(errors, "gross_amount", line.hasGrossAmount(), line.getGrossAmount(), MAX_AMOUNT);
        magnitude(errors, "discount_amount", line.hasDiscountAmount(), line.getDiscountAmount(), MAX_AMOUNT);
        magnitude(errors, "paid_amount", line.hasPaidAmount(), line.getPaidAmount(), MAX_AMOUNT);
        magnitude(errors, "refund_amount", line.hasRefundAmount(), line.getRefundAmount(), MAX_AMOUNT);
        magnitude(errors, "coupon_value", event.getCoupon().hasCouponValue(), event.getCoupon().getCouponValue(), MAX_AMOUNT);
        return errors;
    }

    private static void magnitude(List<FieldError> errors, String column, boolean present, double value, double max) {
        if (present && !(Math.abs(value) <= max)) {
            errors.add(new FieldError(column, "must be within ±" + String.format(Locale.ROOT, "%,.0f", max)));
        }
    }

    /** A value quoted in a reason, cut short so that a huge value never fills an answer or a log. */
    public static String quote(String value) {
        return value.length() <= 40 ? "'" + value + "'"
                : "'" + value.substring(0, 40) + "…' (" + value.length() + " characters)";
    }
}
