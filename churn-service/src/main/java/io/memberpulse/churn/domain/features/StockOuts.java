package io.memberpulse.churn.domain.features;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Stock-outs per store in time order, to count those a member was exposed to before an instant. */
public final class StockOuts {
    public static final StockOuts NONE = new StockOuts(List.of());

    private final Map<String, List<StockOut>> byStore = new HashMap<>();

    public StockOuts(Collection<StockOut> stockOuts) {
        for (StockOut stockOut : stockOuts) {
            byStore.computeIfAbsent(stockOut.storeId(), s -> new ArrayList<>()).add(stockOut);
        }
        byStore.values().forEach(list -> list.sort(Comparator.comparing(StockOut::at)));
    }

    public boolean isEmpty() {
        return byStore.isEmpty();
    }

    /**
     * Stock-outs in (from, to] at the given stores on the member's SKUs or in the member's categories
     * (one category path containing the other); a stock-out naming neither counts too.
     */
    public int exposure(Set<String> stores, Set<String> categories, Set<String> skus, Instant from, Instant to) {
        int count = 0;
        for (String store : stores) {
            for (StockOut s : byStore.getOrDefault(store, List.of())) {
                if (!s.at().isAfter(from) || s.at().isAfter(to)) {
                    continue;
                }
                boolean inCategory = s.category() != null
                        && categories.stream().anyMatch(c -> s.category().startsWith(c) || c.startsWith(s.category()));
                boolean onSku = s.sku() != null && skus.contains(s.sku());
                boolean unknown = s.category() == null && s.sku() == null;
                if (inCategory || onSku || unknown) {
                    count++;
                }
            }
        }
        return count;
    }
}
