package io.memberpulse.identity.domain;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Multi-touch attribution of one order to the touch points of its member that came before it within
 * each kind's window: last-touch (all credit to the latest touch) or linear (equal shares). A touch
 * after the order, or older than its window, gets nothing; an order without touches is unattributed.
 */
public final class Attribution {

    public enum Model {
        LAST_TOUCH, LINEAR;

        public String code() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }

        public static Optional<Model> fromCode(String code) {
            for (Model model : values()) {
                if (model.code().equals(code)) {
                    return Optional.of(model);
                }
            }
            return Optional.empty();
        }
    }

    /** What a touch was; on equal times the more specific kind (listed first) is the last touch. */
    public enum TouchKind {
        COUPON_REDEEMED, COUPON_ISSUED, CAMPAIGN, VISIT;

        public String code() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** A touch point: {@code key} names its event ("source:event_id"); campaignId may be blank. */
    public record TouchPoint(String key, TouchKind kind, Instant at, String channel, String campaignId) {
        public TouchPoint {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(at, "at");
            campaignId = campaignId == null ? "" : campaignId;
        }
    }

    /** An order counted once: when it was placed and what was paid for it. */
    public record Order(String key, Instant at, double amount) {
        public Order {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(at, "at");
        }
    }

    /** A touch's share of an order: weight in 0..1 (the shares of an order sum to 1) and that share of its amount. */
    public record Credit(TouchPoint touch, double weight, double amount) {
    }

    /** How long before an order each kind of touch still counts; a kind without a window never counts. */
    public record Windows(Map<TouchKind, Duration> byKind) {
        public Windows {
            byKind = Map.copyOf(byKind);
            byKind.values().forEach(window -> {
                if (window.isNegative()) {
                    throw new IllegalArgumentException("attribution windows cannot be negative: " + window);
                }
            });
        }

        public static Windows of(Duration couponRedeemed, Duration couponIssued, Duration campaign, Duration visit) {
            Map<TouchKind, Duration> windows = new EnumMap<>(TouchKind.class);
            windows.put(TouchKind.COUPON_REDEEMED, couponRedeemed);
            windows.put(TouchKind.COUPON_ISSUED, couponIssued);
            windows.put(TouchKind.CAMPAIGN, campaign);
            windows.put(TouchKind.VISIT, visit);
            return new Windows(windows);
        }

        /** The longest window: how far back before an order touches need to be read. */
        public Duration longest() {
            return byKind.values().stream().max(Comparator.naturalOrder()).orElse(Duration.ZERO);
        }

        boolean counts(TouchPoint touch, Instant orderAt) {
            Duration window = byKind.get(touch.kind());
            return window != null && !touch.at().isAfter(orderAt) && !touch.at().isBefore(orderAt.minus(window));
        }
    }

    private static final Comparator<TouchPoint> LATEST_FIRST = Comparator.comparing(TouchPoint::at).reversed()
            .thenComparing(TouchPoint::kind).thenComparing(TouchPoint::key);

    private Attribution() {
    }

    /** The credits of this order among the member's touches (in any order); empty when none counts. */
    public static List<Credit> attribute(Order order, List<TouchPoint> touches, Windows windows, Model model) {
        List<TouchPoint> counted = touches.stream().filter(t -> windows.counts(t, order.at())).sorted(LATEST_FIRST).toList();
        if (counted.isEmpty()) {
            return List.of();
        }
        if (model == Model.LAST_TOUCH) {
            return List.of(new Credit(counted.get(0), 1.0, order.amount()));
        }
        double weight = 1.0 / counted.size();
        List<Credit> credits = new ArrayList<>(counted.size());
        counted.forEach(touch -> credits.add(new Credit(touch, weight, order.amount() * weight)));
        return credits;
    }
}
