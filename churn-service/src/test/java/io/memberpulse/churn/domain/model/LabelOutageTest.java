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
import java.util.Set;
import java.util.Optional;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

class LabelOutageTest {
    static final int H = 90;
    static final LocalDate AS_OF = LocalDate.of(2011, 12, 9);
    /** The day of the validation cut-off D − H: the last horizon runs from it to as-of. */
    static final LocalDate WINDOW = AS_OF.minusDays(H);
    /** 20:00 on the as-of day, the instant the channel scenarios train at. */
    static final Instant AS_OF_EVENING = AS_OF.atTime(20, 0).toInstant(ZoneOffset.UTC);
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

    @Test
    void aChannelFallingSilentWhileTheOthersFlowIsAnOutageNamingIt() {
        // the tills sell to 30 members a day throughout; the delivery platform's 12 a day stop arriving after 2011-11-17
        Map<String, List<Activity>> histories = tillsAndDeliveryUntil(LocalDate.of(2011, 11, 17));
        assertThat(LabelOutage.find(LabelOutage.buyersPerDay(histories, AS_OF_EVENING, ZoneOffset.UTC), WINDOW, AS_OF, 14))
                .as("the whole feed never fell silent").isEmpty();

        LabelOutage outage = LabelOutage.in(TrainingPlan.of(AS_OF_EVENING, H), histories, ZoneOffset.UTC, 14).orElseThrow();

        assertThat(outage.channel()).isEqualTo("delivery");
        assertThat(outage.from()).isEqualTo(LocalDate.of(2011, 11, 18));
        assertThat(outage.to()).isEqualTo(AS_OF);
        assertThat(outage.ongoing()).isTrue();
        assertThat(outage.perDay()).isCloseTo(12, within(1e-9));
        assertThat(outage.referencePurchases()).isEqualTo(12 * 28);
        assertThat(outage.expected()).isCloseTo(22 * 12, within(1e-9));
        assertThat(outage.describe()).contains("in channel delivery on the 22 days 2011-11-18 to 2011-12-09")
                .contains("had 12.0 members buying a day there").contains("about 264 purchases expected, 0 seen");
        // off: no guard for a channel either
        assertThat(LabelOutage.in(TrainingPlan.of(AS_OF_EVENING, H), histories, ZoneOffset.UTC, 0)).isEmpty();
        // the whole feed silent is named as such, not as one of its channels
        Map<String, List<Activity>> allStopped = new HashMap<>(histories);
        allStopped.putAll(buyers("pos", 30, LocalDate.of(2011, 1, 1), LocalDate.of(2011, 11, 17)));
        assertThat(LabelOutage.in(TrainingPlan.of(AS_OF_EVENING, H), allStopped, ZoneOffset.UTC, 14))
                .hasValueSatisfying(whole -> assertThat(whole.channel()).isNull());
    }

    @Test
    void aSmallChannelNeverTripsTheGuardHoweverLongItIsQuiet() {
        // 19 purchases in the four weeks before a silence of 60 days: at that rate about 41 expected, but the channel
        // is small, and a small channel's quiet weeks are chance
        Map<LocalDate, Integer> small = new HashMap<>();
        LocalDate silentFrom = AS_OF.minusDays(59);
        for (int i = 1; i <= 19; i++) {
            small.put(silentFrom.minusDays(i), 1);
        }
        small.put(LocalDate.of(2011, 1, 3), 1); // records begin long before
        assertThat(LabelOutage.findInChannel("kiosk", small, WINDOW, AS_OF, 14)).isEmpty();
        // one purchase more and it has the volume: the same silence is an outage
        small.put(silentFrom.minusDays(20), 1);
        assertThat(LabelOutage.findInChannel("kiosk", small, WINDOW, AS_OF, 14)).hasValueSatisfying(outage -> {
            assertThat(outage.channel()).isEqualTo("kiosk");
            assertThat(outage.from()).isEqualTo(silentFrom);
            assertThat(outage.referencePurchases()).isEqualTo(20);
        });
        // the whole feed keeps its rule: the same days of the whole chain are an outage without the floor
        small.remove(silentFrom.minusDays(20));
        assertThat(LabelOutage.find(small, WINDOW, AS_OF, 14)).isPresent();
    }

    @Test
    void aChannelSilentSinceBeforeTheLastHorizonIsNotJudged() {
        // the delivery platform left the chain ten days before the validation cut-off: its members' churn is real
        Map<String, List<Activity>> histories = tillsAndDeliveryUntil(WINDOW.minusDays(10));
        assertThat(LabelOutage.in(TrainingPlan.of(AS_OF_EVENING, H), histories, ZoneOffset.UTC, 14)).isEmpty();
        // had it left within the last horizon, its silence would be judged (until its last sale is a horizon old)
        histories.putAll(buyers("delivery", 12, LocalDate.of(2011, 1, 1), WINDOW.plusDays(1)));
        assertThat(LabelOutage.in(TrainingPlan.of(AS_OF_EVENING, H), histories, ZoneOffset.UTC, 14).map(LabelOutage::channel))
                .contains("delivery");
    }

    @Test
    void aChannelTheChainClosedIsNotJudgedWhileTheOthersStillAre() {
        // the delivery platform left the chain within the last horizon: closed, its members' churn is real
        Map<String, List<Activity>> histories = tillsAndDeliveryUntil(WINDOW.plusDays(1));
        TrainingPlan plan = TrainingPlan.of(AS_OF_EVENING, H);
        assertThat(LabelOutage.in(plan, histories, ZoneOffset.UTC, new LabelGuard(14, Set.of("delivery")))).isEmpty();
        // another channel's silence is still an outage, and so is the whole feed's
        histories.putAll(buyers("app", 12, LocalDate.of(2011, 1, 1), WINDOW.plusDays(1)));
        assertThat(LabelOutage.in(plan, histories, ZoneOffset.UTC, new LabelGuard(14, Set.of("delivery")))
                .map(LabelOutage::channel)).contains("app");
        assertThat(LabelOutage.in(plan, histories, ZoneOffset.UTC, new LabelGuard(0, Set.of()))).isEmpty();
        assertThatThrownBy(() -> new LabelGuard(-1, Set.of())).hasMessageContaining("label-outage-days");
    }

    @Test
    void aDayCountsItsBuyingMembersOnceInEachChannel() {
        Instant morning = Instant.parse("2024-06-30T08:00:00Z");
        Map<String, List<Activity>> histories = Map.of(
                "a", List.of(order(morning, "1"), order(morning.plusSeconds(60), "2"),
                        Activity.orderLine(morning, "3", "delivery", "s1", "sku", "grocery", 1, 10, 0),
                        Activity.refund(morning, "1", "app", "s1", 5)),
                "b", List.of(Activity.orderLine(morning, "4", "delivery", "s1", "sku", "grocery", 1, 10, 0),
                        Activity.orderLine(morning, "5", null, "s1", "sku", "grocery", 1, 10, 0)));

        assertThat(LabelOutage.buyersPerChannelDay(histories, morning.plusSeconds(3600), ZoneOffset.UTC))
                .containsExactlyInAnyOrderEntriesOf(
                Map.of("pos", Map.of(LocalDate.of(2024, 6, 30), 1), "delivery", Map.of(LocalDate.of(2024, 6, 30), 2),
                        "unknown", Map.of(LocalDate.of(2024, 6, 30), 1)));
    }

    /**
     * The shared data sets a run trains on never trip the guard at any as-of, in UTC or the chain's default zone
     * (Online Retail closes 11 days over Christmas and every Saturday); purchases held back for three weeks do.
     */
    @Test
    void theSharedDataSetsHoldNoOutageButOneMadeInThemIsFound() throws Exception {
        Map<String, List<Activity>> retail = EventCsv.read(EventCsv.dataset("online-retail.events.csv.gz")).histories();
        Map<String, List<Activity>> cdnow = EventCsv.read(EventCsv.dataset("cdnow-sample.events.csv")).histories();
        // five channels (tills, delivery platform, mini-program, app, web shop), ecommerce under 3 purchases a day
        Map<String, List<Activity>> identityDev = EventCsv.read(EventCsv.dataset("identity-dev/events.csv.gz"),
                EventCsv.persons(EventCsv.dataset("identity-dev/truth.csv.gz"))).histories();
        for (ZoneId zone : List.of(ZoneOffset.UTC, ZoneId.of("Asia/Shanghai"))) {
            for (Map<String, List<Activity>> data : List.of(retail, cdnow, identityDev)) {
                Map<LocalDate, Integer> buyers = LabelOutage.buyersPerDay(data, Instant.MAX, zone);
                Map<String, Map<LocalDate, Integer>> channels = LabelOutage.buyersPerChannelDay(data, Instant.MAX, zone);
                LocalDate first = buyers.keySet().stream().min(LocalDate::compareTo).orElseThrow();
                LocalDate last = buyers.keySet().stream().max(LocalDate::compareTo).orElseThrow();
                for (LocalDate asOf = first.plusDays(1); !asOf.isAfter(last); asOf = asOf.plusDays(1)) {
                    assertThat(LabelOutage.find(buyers, asOf.minusDays(H), asOf, 14)).as("as of %s in %s", asOf, zone)
                            .isEmpty();
                    for (var channel : channels.entrySet()) {
                        assertThat(LabelOutage.findInChannel(channel.getKey(), channel.getValue(), asOf.minusDays(H),
                                asOf, 14)).as("%s as of %s in %s", channel.getKey(), asOf, zone).isEmpty();
                    }
                }
            }
        }
        assertThat(LabelOutage.buyersPerChannelDay(retail, Instant.MAX, ZoneOffset.UTC)).containsOnlyKeys("ecommerce");
        assertThat(LabelOutage.buyersPerChannelDay(identityDev, Instant.MAX, ZoneOffset.UTC))
                .containsOnlyKeys("pos", "delivery", "miniapp", "app", "ecommerce");
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

    /** The tills sell to 30 members a day from 2011-01-01 to as-of; the delivery platform to 12 a day until its last day. */
    static Map<String, List<Activity>> tillsAndDeliveryUntil(LocalDate deliveryLast) {
        Map<String, List<Activity>> histories = new HashMap<>();
        histories.putAll(buyers("pos", 30, LocalDate.of(2011, 1, 1), AS_OF));
        histories.putAll(buyers("delivery", 12, LocalDate.of(2011, 1, 1), deliveryLast));
        return histories;
    }

    /** perDay members of the channel buying at noon every day from first to last, as histories keyed by member. */
    static Map<String, List<Activity>> buyers(String channel, int perDay, LocalDate first, LocalDate last) {
        Map<String, List<Activity>> histories = new HashMap<>();
        for (int m = 0; m < perDay; m++) {
            List<Activity> orders = new ArrayList<>();
            for (LocalDate day = first; !day.isAfter(last); day = day.plusDays(1)) {
                orders.add(Activity.orderLine(day.atTime(12, 0).toInstant(ZoneOffset.UTC), channel + day, channel, "s1",
                        "sku", "grocery", 1, 10, 0));
            }
            histories.put(channel + "-m" + m, orders);
        }
        return histories;
    }

    static Activity order(Instant at, String orderId) {
        return Activity.orderLine(at, orderId, "pos", "s1", "sku", "grocery", 1, 10, 0);
    }
}
