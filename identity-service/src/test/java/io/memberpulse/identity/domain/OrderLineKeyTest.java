package io.memberpulse.identity.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;

class OrderLineKeyTest {

    @Test
    void quantityAndAmountAreRoundedAsPrintfRoundsThem() {
        Random random = new Random(11);
        double[] edges = {0, -0.0, 0.0005, 0.0015, 0.125, 2.675, 1.005, 19.995, -3.5, 1e9 + 0.005, Double.NaN,
                Double.POSITIVE_INFINITY};
        for (int i = 0; i < 20_000 + edges.length; i++) {
            double quantity = i < edges.length ? edges[i] : Math.round(random.nextDouble() * 1e6) / 1e3;
            double amount = i < edges.length ? edges[edges.length - 1 - i] : Math.round(random.nextDouble() * 1e6) / 1e4;
            var line = new OrderDeduplicator.Line(0, "pos", "o", "s", Instant.EPOCH, "sku", quantity, amount);
            assertThat(line.key()).as("%s, %s", quantity, amount)
                    .isEqualTo("sku|" + String.format(Locale.ROOT, "%.3f|%.2f", quantity, amount));
        }
    }
}
