package io.memberpulse.churn.domain.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.memberpulse.churn.domain.features.Activity;
import io.memberpulse.churn.testdata.EventCsv;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

class LabelOutageTest {
    static final int H = 90;
    static final LocalDate AS_OF = LocalDate.of(2011, 12, 9);
    /** The day of the validation cut-off D − H: the last horizon runs from it to as-of. */
    static final LocalDate WINDOW = AS_OF.minusDays(H);
    static final Predicate<LocalDate> SATURDAYS = day -> day.getDayOfWeek() == DayOfWeek.SATURDAY;

    /** A chain whose shops sell to perDay members a day from first to last, but on the closed days. */
    static Map<LocalDate, Integer> chain(LocalDate first, LocalDate last, int perDay, Predicate<LocalDate> closed) {
        Map<LocalDate, Integer> buyers = new HashMap<>();
        for (LocalDate day = first; !day.isAfter(last); day = day.plusDays(1)) {
            if (!closed.test(day)) {
                buyers.put(day, perDay);
            }
        }
        return buyers;
    }

    static Predicate<LocalDate> between(LocalDate from, LocalDate to) {
        return day -> !day.isBefore(from) && !day.isAfter(to);
    }

    @Test
    void aSilenceRunningUpToAsOfIsAnOutage() {
        // 40 members a day, never on Saturdays; nothing arrived after Thursday 2011-11-17
        Map<LocalDate, Integer> buyers = chain(LocalDate.of(2011, 1, 1), LocalDate.of(2011, 11, 17), 40, SATURDAYS);

        LabelOutage outage = LabelOutage.find(buyers, WINDOW, AS_OF, 14).orElseThrow();

        assertThat(outage.from()).isEqualTo(LocalDate.of(2011, 11, 18));
        assertThat(outage.to()).isEqualTo(AS_OF);
        assertThat(outage.days()).isEqualTo(22);
        assertThat(outage.ongoing()).isTrue();
        assertThat(outage.referenceDays()).isEqualTo(28);
        assertThat(outage.perDay()).as("four Saturdays in the four weeks before").isCloseTo(40 * 24 / 28.0, within(1e-9));
        assertThat(outage.expected()).isCloseTo(22 * 40 * 24 / 28.0, within(1e-9));
        assertThat(outage.describe()).contains("22 days 2011-11-18 to 2011-12-09 (still silent at as-of)")
                .contains("about 754 purchases expected, 0 seen");
    }

    @Test
    void aSilenceWithinTheLastHorizonIsAnOutageAndOneBeforeItIsNot() {
        Map<LocalDate, Integer> gapInside = chain(LocalDate.of(2011, 1, 1), AS_OF,
                40, between(LocalDate.of(2011, 10, 1), LocalDate.of(2011, 10, 16)));
        assertThat(LabelOutage.find(gapInside, WINDOW, AS_OF, 14)).hasValueSatisfying(outage -> {
            assertThat(outage.from()).isEqualTo(LocalDate.of(2011, 10, 1));
            assertThat(outage.days()).isEqualTo(16);
            assertThat(outage.ongoing()).isFalse();
        });
        // begun before the validation cut-off, it is measured whole: its first days count towards the length
        Map<LocalDate, Integer> acrossTheCutoff = chain(LocalDate.of(2011, 1, 1), AS_OF, 40,
                between(WINDOW.minusDays(10), WINDOW.plusDays(5)));
        assertThat(LabelOutage.find(acrossTheCutoff, WINDOW, AS_OF, 14).map(LabelOutage::from))
                .contains(WINDOW.minusDays(10));
        // over before the last horizon began: the latest labels and the validation window do not see it
        Map<LocalDate, Integer> before = chain(LocalDate.of(2011, 1, 1), AS_OF, 40,
                between(WINDOW.minusDays(30), WINDOW.minusDays(1)));
        assertThat(LabelOutage.find(before, WINDOW, AS_OF, 14)).isEmpty();
    }

    @Test
    void aChristmasClosingAndSaturdaysAreNoOutage() {
        // twelve days closed after Christmas, right after a Saturday: 13 days without a purchase, all in the horizon
        LocalDate asOf = LocalDate.of(2011, 2, 15);
        Map<LocalDate, Integer> buyers = chain(LocalDate.of(2010, 6, 1), asOf, 60,
                SATURDAYS.or(between(LocalDate.of(2010, 12, 26), LocalDate.of(2011, 1, 6))));

        assertThat(LabelOutage.find(buyers, asOf.minusDays(H), asOf, 14)).isEmpty();
        // the volume alone would call it one: only its length keeps it off
        assertThat(LabelOutage.find(buyers, asOf.minusDays(H), asOf, 13).map(LabelOutage::from))
                .contains(LocalDate.of(2010, 12, 25));
    }

    @Test
    void aFewMembersQuietForWeeksAreNoOutage() {
        // six members buying about monthly, none of them in the 30 days before as-of: chance, not an outage
        Instant asOf = Instant.parse("2024-06-30T00:00:00Z");
        Map<String, List<Activity>> histories = new HashMap<>();
        for (int m = 0; m < 6; m++) {
            List<Activity> orders = new ArrayList<>();
            for (int daysBefore = 30 + m; daysBefore < 400; daysBefore += 25 + m) {
                orders.add(order(asOf.minus(Duration.ofDays(daysBefore)), "o" + daysBefore));
            }
            histories.put("m" + m, orders);
        }
        assertThat(LabelOutage.in(TrainingPlan.of(asOf, H), histories, ZoneOffset.UTC, 14)).isEmpty();
        // a hundred times as many buyers make the same silence one (each member's orders copied under 100 ids)
        Map<String, List<Activity>> chain = new HashMap<>();
        histories.forEach((member, orders) -> {
            for (int copy = 0; copy < 100; copy++) {
                chain.put(member + "-" + copy, orders);
            }
        });
        assertThat(LabelOutage.in(TrainingPlan.of(asOf, H), chain, ZoneOffset.UTC, 14)).hasValueSatisfying(outage -> {
            assertThat(outage.to()).isEqualTo(LocalDate.of(2024, 6, 30));
            assertThat(outage.from()).isEqualTo(LocalDate.of(2024, 6, 1));
        });
    }

    @Test
    void zeroTurnsTheGuardOff() {
        Map<LocalDate, Integer> buyers = chain(LocalDate.of(2011, 1, 1), AS_OF.minusDays(60), 400, day -> false);
        assertThat(LabelOutage.find(buyers, WINDOW, AS_OF, 0)).isEmpty();
        assertThat(LabelOutage.find(buyers, WINDOW, AS_OF, 14)).isPresent();
        assertThatThrownBy(() -> LabelOutage.find(buyers, WINDOW, AS_OF, -1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aDayCountsItsBuyingMembersOnceAndNothingElse() {
        Instant until = Instant.parse("2024-06-30T12:00:00Z");
        Instant morning = Instant.parse("2024-06-30T08:00:00Z");
        Map<String, List<Activity>> histories = Map.of(
                "a", List.of(order(morning, "1"), order(morning.plusSeconds(60), "1"), order(morning.plusSeconds(120), "2"),
                        Activity.refund(morning, "1", "pos", "s1", 5)),
                "b", List.of(order(morning.minus(Duration.ofHours(12)), "3"),
                        new Activity(Activity.Kind.VISIT, morning, null, "pos", "s1", null, null, 0, 0, 0, 0, null),
                        order(until.plusSeconds(1), "4")));

        assertThat(LabelOutage.buyersPerDay(histories, until, ZoneOffset.UTC)).containsExactlyInAnyOrderEntriesOf(Map.of(
                LocalDate.of(2024, 6, 30), 1, LocalDate.of(2024, 6, 29), 1));
        // days of the chain's calendar: b's order at 20:00 UTC is 04:00 the next day in Shanghai
        assertThat(LabelOutage.buyersPerDay(histories, until, ZoneId.of("Asia/Shanghai")))
                .containsExactlyInAnyOrderEntriesOf(Map.of(LocalDate.of(2024, 6, 30), 2));
    }

    /**
     * The shared data sets a run trains on never trip the guard at any as-of, in UTC or the chain's default zone
     * (Online Retail closes 11 days over Christmas and every Saturday); purchases held back for three weeks do.
     */
    @Test
    void theSharedDataSetsHoldNoOutageButOneMadeInThemIsFound() throws Exception {
        Map<String, List<Activity>> retail = EventCsv.read(EventCsv.dataset("online-retail.events.csv.gz")).histories();
        Map<String, List<Activity>> cdnow = EventCsv.read(EventCsv.dataset("cdnow-sample.events.csv")).histories();
        for (ZoneId zone : List.of(ZoneOffset.UTC, ZoneId.of("Asia/Shanghai"))) {
            for (Map<String, List<Activity>> data : List.of(retail, cdnow)) {
                Map<LocalDate, Integer> buyers = LabelOutage.buyersPerDay(data, Instant.MAX, zone);
                LocalDate first = buyers.keySet().stream().min(LocalDate::compareTo).orElseThrow();
                LocalDate last = buyers.keySet().stream().max(LocalDate::compareTo).orElseThrow();
                for (LocalDate asOf = first.plusDays(1); !asOf.isAfter(last); asOf = asOf.plusDays(1)) {
                    assertThat(LabelOutage.find(buyers, asOf.minusDays(H), asOf, 14)).as("as of %s in %s", asOf, zone)
                            .isEmpty();
                }
            }
        }
        // Online Retail's Christmas closing is long enough to be an outage at 11 days: the check above is not vacuous
        Map<LocalDate, Integer> retailDays = LabelOutage.buyersPerDay(retail, Instant.MAX, ZoneOffset.UTC);
        assertThat(LabelOutage.find(retailDays, LocalDate.of(2010, 12, 1), LocalDate.of(2011, 1, 10), 11)
                .map(LabelOutage::from)).contains(LocalDate.of(2010, 12, 24));

        // CDNOW's purchases of the three weeks before 1998-04-01 lost (a feed that stopped): found
        Instant asOf = Instant.parse("1998-04-01T17:00:00Z");
        Instant stopped = asOf.minus(Duration.ofDays(21));
        Map<String, List<Activity>> lost = new HashMap<>();
        cdnow.forEach((member, activities) -> lost.put(member,
                activities.stream().filter(a -> a.at().isBefore(stopped)).toList()));
        Optional<LabelOutage> outage = LabelOutage.in(TrainingPlan.of(asOf, H), lost, ZoneOffset.UTC, 14);
        assertThat(outage).hasValueSatisfying(found -> {
            assertThat(found.ongoing()).isTrue();
            assertThat(found.days()).isBetween(21, 22);
            assertThat(found.expected()).isGreaterThan(LabelOutage.MIN_EXPECTED);
        });
        assertThat(LabelOutage.in(TrainingPlan.of(asOf, H), cdnow, ZoneOffset.UTC, 14)).isEmpty();
    }

    static Activity order(Instant at, String orderId) {
        return Activity.orderLine(at, orderId, "pos", "s1", "sku", "grocery", 1, 10, 0);
    }
}
