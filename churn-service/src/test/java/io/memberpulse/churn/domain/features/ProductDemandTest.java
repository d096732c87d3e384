package io.memberpulse.churn.domain.features;

import static io.memberpulse.churn.testdata.HistoryBuilder.T;
import static io.memberpulse.churn.testdata.HistoryBuilder.member;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProductDemandTest {
    static MemberHistory history(List<Activity> activities) {
        return MemberHistory.asOf(activities, T, ZoneOffset.UTC);
    }

    static List<MemberHistory> histories() {
        return List.of(
                // "rising" sells more in the last 30 days than before; "fading" only sold 30-120 days ago
                history(member().order(400, "fading", "c", 1, 5, 0, "s1").order(5, "rising", "c", 1, 5, 0, "s1").build()),
                history(member().order(10, "rising", "c", 1, 5, 0, "s1").order(2, "rising", "c", 1, 5, 0, "s1").build()),
                history(member().order(60, "fading", "c", 1, 5, 0, "s1").order(200, "rising", "c", 1, 5, 0, "s1").build()),
                history(member().order(90, "fading", "c", 1, 5, 0, "s1").order(119, "rising", "c", 1, 5, 0, "s1").build()));
    }

    @Test
    void countsTheMembersBuyingEachProductRecentlyAndBeforeAndWhereTheRecordsBegin() {
        ProductDemand demand = ProductDemand.of(histories());
        // two members bought "rising" in the last 30 days (one of them twice), one in the 90 days before
        assertThat(demand.buyers().get("rising")).containsExactly(2, 1);
        assertThat(demand.buyers().get("fading")).containsExactly(0, 2);
        assertThat(demand.recentBuyers("rising")).isEqualTo(2);
        assertThat(demand.recentBuyers("unknown")).isZero();
        assertThat(demand.momentum("rising")).isCloseTo(Math.log(3 / (1 / 3d + 1)), within(1e-12));
        assertThat(demand.momentum("fading")).isNegative();
        assertThat(demand.momentum("unknown")).isZero();
        assertThat(demand.daysOfRecords(history(member().order(1, 1).build()).asOfDay())).isEqualTo(400);
        assertThat(ProductDemand.NONE.daysOfRecords(0)).isNaN();
    }

    @Test
    void travelsWithThePopulationAndAVersionStoredWithoutItReadsAsNone() {
        Population population = Population.of(null, histories(), 90);
        Population read = Population.fromBytes(population.toBytes());
        assertThat(read.demand().firstDay()).isEqualTo(population.demand().firstDay());
        assertThat(read.demand().buyers().keySet()).isEqualTo(population.demand().buyers().keySet());
        population.demand().buyers().forEach((sku, counts) -> assertThat(read.demand().buyers().get(sku)).containsExactly(counts));

        Population withoutDemand = new Population(population.bgNbd(), population.returnRates(), population.prior(),
                population.gaps(), ProductDemand.NONE);
        byte[] bytes = withoutDemand.toBytes();
        // versions stored before product demand existed ended with the gap curves: no first day, no products,
        // nor the product-bag weights written after them (bias, unseen idf, no products)
        byte[] old = Arrays.copyOf(bytes, bytes.length - Long.BYTES - Integer.BYTES - 2 * Double.BYTES - Integer.BYTES);
        Population oldRead = Population.fromBytes(old);
        assertThat(oldRead.demand()).isEqualTo(ProductDemand.NONE);
        assertThat(oldRead.productWeights()).isSameAs(ProductWeights.NONE);
        assertThat(oldRead.returnRates().keySet()).isEqualTo(population.returnRates().keySet());
    }

    @Test
    void firstPurchaseReturnRatesCountOnlyEachMembersFirstPurchaseDay() {
        List<MemberHistory> histories = List.of(
                history(member().order(300, "a", "c", 1, 5, 0, "s1").order(280, "b", "c", 1, 5, 0, "s1").build()),
                history(member().order(250, "b", "c", 1, 5, 0, "s1").build()));
        Map<String, double[]> rates = Population.of(null, histories, 90).returnRates();
        assertThat(rates.get(Population.firstPurchaseKey("a"))).containsExactly(1, 1);
        // "b" was the second purchase of the first member, the first (not followed by another) of the second
        assertThat(rates.get(Population.firstPurchaseKey("b"))).containsExactly(0, 1);
        assertThat(rates.get("b")).containsExactly(0, 2);
    }
}
