package io.memberpulse.rfm.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.memberpulse.rfm.testdata.IndependentRfm;
import io.memberpulse.rfm.testdata.OnlineRetail;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every member of Online Retail (4,372 members, 406,829 rows): the service's RFM calculation agrees
 * with an independent one at several instants, and the segment sizes it gives are printed (the
 * closing note quotes them). The same calculation runs live in the service: OnlineRetailReplayTest
 * shows the service's answers equal it on a slice replayed through Kafka.
 */
class OnlineRetailRfmTest {
    static final List<Instant> INSTANTS = List.of(Instant.parse("2011-03-01T00:00:00Z"),
            Instant.parse("2011-09-01T00:00:00Z"), Instant.parse("2011-12-09T12:50:00Z")); // the last: the data set's end
    static Map<String, List<OnlineRetail.Row>> members;

    @BeforeAll
    static void read() throws IOException {
        Assumptions.assumeTrue(OnlineRetail.available(), "needs " + OnlineRetail.FILE);
        members = OnlineRetail.rows(memberNo -> true).stream().collect(Collectors.groupingBy(OnlineRetail.Row::memberId));
    }

    @Test
    void rfmOfEveryMemberAgreesWithAnIndependentCalculation() {
        assertThat(members).hasSize(4_372);
        RfmCalculator calculator = new RfmCalculator(0.3);
        for (Instant asOf : INSTANTS) {
            int compared = 0;
            for (var member : members.entrySet()) {
                var expected = IndependentRfm.of(member.getValue(), asOf);
                Rfm rfm = calculator.compute(member.getKey(), member.getValue().stream().map(OnlineRetail.Row::line).toList(), asOf);
                if (expected.recencyDays() == null) {
                    assertThat(rfm.recencyDays()).as(member.getKey()).isNull();
                    continue;
                }
                compared++;
                assertThat(rfm.recencyDays()).as(member.getKey() + " R").isCloseTo(expected.recencyDays(), within(1e-9));
                assertThat(rfm.frequency7d()).as(member.getKey() + " F7").isEqualTo(expected.frequency7d());
                assertThat(rfm.frequency30d()).as(member.getKey() + " F30").isEqualTo(expected.frequency30d());
                assertThat(rfm.frequency90d()).as(member.getKey() + " F90").isEqualTo(expected.frequency90d());
                assertThat(rfm.ordersTotal()).as(member.getKey() + " orders").isEqualTo(expected.ordersTotal());
                assertThat(rfm.monetaryNet30d()).as(member.getKey() + " M30").isCloseTo(expected.monetaryNet30d(), within(1e-6));
                assertThat(rfm.monetaryNet90d()).as(member.getKey() + " M90").isCloseTo(expected.monetaryNet90d(), within(1e-6));
                assertThat(rfm.monetaryNetTotal()).as(member.getKey() + " M").isCloseTo(expected.monetaryNetTotal(), within(1e-6));
            }
            assertThat(compared).as("members who had bought by " + asOf).isPositive();
        }
    }

    @Test
    void segmentSizesOnOnlineRetail() {
        RfmCalculator calculator = new RfmCalculator(0.3);
        for (Instant asOf : INSTANTS) {
            Map<String, Integer> sizes = new TreeMap<>();
            int buyers = 0;
            for (var member : members.entrySet()) {
                Rfm rfm = calculator.compute(member.getKey(), member.getValue().stream().map(OnlineRetail.Row::line).toList(), asOf);
                if (rfm.recencyDays() == null) {
                    continue;
                }
                buyers++;
                DefaultSegments.DEFAULTS.of(rfm).forEach(segment -> sizes.merge(segment, 1, Integer::sum));
                sizes.merge(LifecycleRules.DEFAULTS.stageOf(rfm).segmentId(), 1, Integer::sum);
            }
            System.out.printf("Online Retail segment sizes as of %s (%,d members who had bought): %s%n", asOf, buyers, sizes);
            int finalBuyers = buyers;
            int staged = sizes.entrySet().stream().filter(e -> e.getKey().startsWith("stage:")).mapToInt(Map.Entry::getValue).sum();
            assertThat(staged).as("every buyer has exactly one stage").isEqualTo(finalBuyers);
        }
    }
}
