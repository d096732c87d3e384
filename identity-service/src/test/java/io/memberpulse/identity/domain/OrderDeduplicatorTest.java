package io.memberpulse.identity.domain;

import static io.memberpulse.identity.domain.OrderDeduplicator.PAIRED_ELSEWHERE;
import static io.memberpulse.identity.domain.OrderDeduplicator.UNPAIRED;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class OrderDeduplicatorTest {
    static final Instant DELIVERED = Instant.parse("2025-03-01T11:23:10Z");
    static final Instant RUNG_UP = DELIVERED.plusSeconds(438);
    static final Duration WINDOW = Duration.ofMinutes(60);

    final List<OrderDeduplicator.Line> lines = new ArrayList<>();

    /** Adds a line of an order; {@code pairedWith} as the import gives a stored line paired before. */
    int line(String source, String orderId, Instant at, String sku, double paid, int pairedWith) {
        lines.add(new OrderDeduplicator.Line(lines.size(), source, orderId, "s1", at, sku, 1, paid, pairedWith));
        return lines.size() - 1;
    }

    int line(String source, String orderId, Instant at, String sku, double paid) {
        return line(source, orderId, at, sku, paid, UNPAIRED);
    }

    /** "original>duplicate" by line index. */
    List<String> pairs() {
        return OrderDeduplicator.duplicates(lines, WINDOW).stream()
                .map(p -> p.original().index() + ">" + p.duplicate().index()).toList();
    }

    @Test
    void twoChannelsReportingTheSameWholeOrderPairLineByLineTheLaterAsTheDuplicate() {
        int d1 = line("delivery", "MT-1", DELIVERED, "6901", 100.11);
        int d2 = line("delivery", "MT-1", DELIVERED, "6902", 137.40);
        int t1 = line("pos", "S-1", RUNG_UP, "6902", 137.40);
        int t2 = line("pos", "S-1", RUNG_UP, "6901", 100.11);
        line("pos", "S-2", RUNG_UP, "6901", 100.11); // another till order, of one of the lines only
        line("pos", "S-3", RUNG_UP, "6902", 137.40);
        assertThat(pairs()).containsExactlyInAnyOrder(d2 + ">" + t1, d1 + ">" + t2);
    }

    @Test
    void theFirstLineOfATillCopyPairsWithTheOneOrderHoldingIt() {
        // the delivery order is stored whole; the till's copy comes one line at a time
        int d1 = line("delivery", "MT-1", DELIVERED, "6901", 100.11);
        line("delivery", "MT-1", DELIVERED, "6902", 137.40);
        line("delivery", "MT-9", DELIVERED, "6999", 5.00);
        int t1 = line("pos", "S-1", RUNG_UP, "6901", 100.11);
        assertThat(pairs()).containsExactly(d1 + ">" + t1);
    }

    @Test
    void theRestOfAnOrderPairedBeforeGoesToTheSamePartner() {
        int d1 = line("delivery", "MT-1", DELIVERED, "6901", 100.11, 3);
        int d2 = line("delivery", "MT-1", DELIVERED, "6902", 137.40);
        line("miniapp", "W-1", RUNG_UP, "6902", 137.40); // a third report of the line: the order is taken
        int t1 = line("pos", "S-1", RUNG_UP, "6901", 100.11, d1);
        int t2 = line("pos", "S-1", RUNG_UP, "6902", 137.40);
        assertThat(t1).isEqualTo(3);
        assertThat(pairs()).containsExactly(d2 + ">" + t2);
    }

    @Test
    void theRestOfADeliveryOrderWhoseTillCopyCameFirstPairsWithTheCopy() {
        // the till's copy was stored whole and counted; the delivery order comes in two batches
        int t1 = line("pos", "S-1", RUNG_UP, "6902", 137.40);
        int t2 = line("pos", "S-1", RUNG_UP, "6901", 100.11, 2);
        int d1 = line("delivery", "MT-1", DELIVERED, "6901", 100.11, 1);
        assertThat(List.of(t1, t2, d1)).containsExactly(0, 1, 2);
        int d2 = line("delivery", "MT-1", DELIVERED, "6902", 137.40);
        assertThat(pairs()).containsExactly(d2 + ">" + t1); // the caller flags the fresh one: d2
    }

    @Test
    void aPartOfTwoOrdersOrAnOrderTakenElsewhereIsLeftAlone() {
        line("delivery", "MT-1", DELIVERED, "6901", 100.11);
        line("delivery", "MT-1", DELIVERED, "6902", 137.40);
        line("delivery", "MT-2", DELIVERED.plusSeconds(60), "6901", 100.11);
        line("delivery", "MT-2", DELIVERED.plusSeconds(60), "6903", 18.00);
        line("pos", "S-1", RUNG_UP, "6901", 100.11); // which of the two? the evidence does not say
        assertThat(pairs()).isEmpty();

        lines.clear();
        line("delivery", "MT-1", DELIVERED, "6901", 100.11);
        line("delivery", "MT-1", DELIVERED, "6902", 137.40);
        line("pos", "S-1", RUNG_UP, "6903", 18.00, PAIRED_ELSEWHERE); // its order repeats another one
        line("pos", "S-1", RUNG_UP, "6901", 100.11);
        assertThat(pairs()).isEmpty();
    }

    @Test
    void aPartFromTheSameChannelOrOutsideTheWindowIsNoRepeat() {
        line("delivery", "MT-1", DELIVERED, "6901", 100.11);
        line("delivery", "MT-1", DELIVERED, "6902", 137.40);
        line("delivery", "MT-3", RUNG_UP, "6901", 100.11);
        line("pos", "S-1", DELIVERED.plus(WINDOW).plusSeconds(1), "6902", 137.40);
        assertThat(pairs()).isEmpty();
    }
}
