package io.memberpulse.identity;

import io.memberpulse.identity.domain.Attribution;
import io.memberpulse.identity.domain.Attribution.Credit;
import io.memberpulse.identity.domain.Attribution.Model;
import io.memberpulse.identity.domain.Attribution.TouchPoint;
import io.memberpulse.identity.domain.CampaignAttribution;
import io.memberpulse.identity.domain.EventKeys;
import io.memberpulse.identity.store.AttributionRepository;
import io.memberpulse.identity.store.AttributionRepository.MemberTouch;
import io.memberpulse.identity.store.AttributionRepository.OrderLine;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Attribution computed on read from the stored events: an order (its lines that no other channel
 * reported first, so each order counts once) credited to its current member's touch points.
 */
@ApplicationScoped
public class AttributionService {
    private final AttributionRepository repository;
    private final Attribution.Windows windows;

    public AttributionService(AttributionRepository repository, AttributionConfig config) {
        this.repository = repository;
        this.windows = Attribution.Windows.of(config.couponRedeemedWindow(), config.couponIssuedWindow(),
                config.campaignWindow(), config.visitWindow());
    }

    /**
     * One order's attribution. {@code duplicateOf} names the first report when every line of this
     * order repeats another channel's order: it is counted there, so it gets no credits here.
     */
    public record OrderAttribution(String source, String orderId, String memberId, Instant occurredAt, double amount,
            int lines, String duplicateOf, Model model, List<Credit> credits) {
    }

    public Uni<Optional<OrderAttribution>> order(String source, String orderId, Model model) {
        return repository.orderLines(source, orderId).flatMap(lines -> {
            if (lines.isEmpty()) {
                return Uni.createFrom().item(Optional.empty());
            }
            List<OrderLine> counted = lines.stream().filter(line -> line.duplicateOf() == null).toList();
            OrderLine first = lines.get(0);
            if (counted.isEmpty()) {
                return Uni.createFrom().item(Optional.of(new OrderAttribution(source, orderId, first.memberId(),
                        earliest(lines), 0, lines.size(), first.duplicateOf(), model, List.of())));
            }
            Attribution.Order order = order(EventKeys.order(source, orderId), counted);
            return repository.touchesOf(first.memberId(), order.at().minus(windows.longest()), order.at())
                    .map(touches -> Optional.of(new OrderAttribution(source, orderId, first.memberId(), order.at(),
                            order.amount(), counted.size(), null, model, Attribution.attribute(order,
                                    touches.stream().map(MemberTouch::touch).toList(), windows, model))));
        });
    }

    /**
     * Every order counted once, credited to campaigns under the model. The order lines are read one order at a time
     * ({@link OrderFold}): holding every line of every order at once took a heap that grew with the event history.
     */
    public Uni<CampaignAttribution.Totals> campaigns(Model model) {
        return repository.allTouches().flatMap(touches -> {
            Map<String, List<TouchPoint>> byMember = new HashMap<>();
            touches.forEach(t -> byMember.computeIfAbsent(t.memberId(), k -> new ArrayList<>()).add(t.touch()));
            return repository.foldCountedOrderLines(new OrderFold(byMember, model), OrderFold::add)
                    .map(OrderFold::totals);
        });
    }

    /**
     * Attributes orders from their lines as they come, each order's lines together (in order of source and order id):
     * an order is taken once the next one begins, credited to the touches of the member of its earliest line.
     */
    private final class OrderFold {
        private final Map<String, List<TouchPoint>> touchesByMember;
        private final Model model;
        private final CampaignAttribution totals = new CampaignAttribution();
        private String key;
        private List<OrderLine> lines = new ArrayList<>();

        OrderFold(Map<String, List<TouchPoint>> touchesByMember, Model model) {
            this.touchesByMember = touchesByMember;
            this.model = model;
        }

        void add(OrderLine line) {
            String lineKey = EventKeys.order(line.source(), line.orderId());
            if (!lineKey.equals(key)) {
                attributeOrder();
                key = lineKey;
            }
            lines.add(line);
        }

        CampaignAttribution.Totals totals() {
            attributeOrder();
            return totals.totals();
        }

        private void attributeOrder() {
            if (lines.isEmpty()) {
                return;
            }
            Attribution.Order order = order(key, lines);
            totals.add(order, Attribution.attribute(order,
                    touchesByMember.getOrDefault(lines.get(0).memberId(), List.of()), windows, model));
            lines = new ArrayList<>();
        }
    }

    private static Attribution.Order order(String key, List<OrderLine> lines) {
        return new Attribution.Order(key, earliest(lines), lines.stream().mapToDouble(OrderLine::paidAmount).sum());
    }

    private static Instant earliest(List<OrderLine> lines) {
        return lines.stream().map(OrderLine::at).min(Instant::compareTo).orElseThrow();
    }
}
