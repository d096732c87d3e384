package io.memberpulse.rfm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import io.memberpulse.proto.identity.v1.MemberEvent;
import io.memberpulse.proto.kafka.MemberEventDeserializer;
import io.memberpulse.proto.kafka.ProtobufSerdes;
import io.memberpulse.proto.kafka.Topics;
import io.memberpulse.rfm.domain.RfmSnapshot;
import io.memberpulse.rfm.store.RfmReadRepository;
import io.memberpulse.rfm.store.StreamClockRepository;
import io.memberpulse.rfm.testdata.IndependentRfm;
import io.memberpulse.rfm.testdata.OnlineRetail;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Replay equals live, on real data through the real service: a tenth of Online Retail's members
 * (member_no divisible by 10: 445 members, ~40k rows) is lived through on member.events in three
 * stretches of history; after each, once the service has settled (its own clock re-aged everyone),
 * every member's stored RFM, segments and stage are kept. After the whole history is in, the as-of
 * query for each of those instants must give exactly what was lived, and the final state must
 * agree with an independent R/F/M calculation.
 * Runs in a JVM of its own (the surefire execution "replay"): the event-time clock is one per
 * database, and Online Retail's 2010–2011 must not share it with the other tests' events.
 */
@QuarkusTest
@TestProfile(OnlineRetailReplayTest.FastClock.class)
class OnlineRetailReplayTest {
    static final List<Instant> STRETCH_ENDS = List.of(Instant.parse("2011-03-01T00:00:00Z"),
            Instant.parse("2011-09-01T00:00:00Z"), Instant.MAX);
    static final Duration SETTLE = Duration.ofSeconds(90);

    /** Re-ages every second instead of every ten, so each stretch settles sooner. */
    public static class FastClock implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("memberpulse.rfm.refresh-every", "1s");
        }
    }

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    @Inject
    RfmReadRepository rfmReads;

    @Inject
    StreamClockRepository streamClock;

    @Inject
    RfmQueryService queries;

    @Test
    void replayingHistoryGivesExactlyWhatLivingThroughItGave() throws Exception {
        Assumptions.assumeTrue(OnlineRetail.available(), "needs " + OnlineRetail.FILE);
        List<OnlineRetail.Row> rows = OnlineRetail.rows(memberNo -> Integer.parseInt(memberNo) % 10 == 0);
        Map<String, List<OnlineRetail.Row>> byMember = rows.stream().collect(Collectors.groupingBy(OnlineRetail.Row::memberId));
        assertThat(byMember).hasSize(445);

        Map<Instant, Map<String, RfmSnapshot>> lived = new LinkedHashMap<>();
        long started = System.nanoTime();
        try (KafkaCompanion kafka = new KafkaCompanion(bootstrapServers)) {
            kafka.registerSerde(MemberEvent.class, ProtobufSerdes.of(new MemberEventDeserializer()));
            int next = 0;
            java.util.Set<String> sentEvents = new java.util.HashSet<>();
            for (Instant end : STRETCH_ENDS) {
                List<ProducerRecord<String, MemberEvent>> stretch = new ArrayList<>();
                Instant clock = null;
                while (next < rows.size() && rows.get(next).at().isBefore(end)) {
                    OnlineRetail.Row row = rows.get(next++);
                    stretch.add(new ProducerRecord<>(Topics.MEMBER_EVENTS, row.memberId(), row.event()));
                    clock = row.at();
                    sentEvents.add(row.eventId());
                }
                kafka.produce(String.class, MemberEvent.class).fromRecords(stretch).awaitCompletion(Duration.ofMinutes(2));
                lived.put(clock, settledAt(clock, sentEvents.size()));
            }
        }
        System.out.printf("Online Retail slice: %,d rows of %d members lived through in %.1f s%n", rows.size(),
                byMember.size(), (System.nanoTime() - started) / 1e9);

        for (var instant : lived.entrySet()) {
            Map<String, Integer> sizes = new TreeMap<>();
            for (RfmSnapshot live : instant.getValue().values()) {
                String member = live.rfm().memberId();
                RfmSnapshot replayed = queries.asOf(member, instant.getKey(), false).await().indefinitely();
                assertThat(replayed.rfm()).as(member + " as of " + instant.getKey()).isEqualTo(live.rfm());
                assertThat(replayed.segments()).as(member + " as of " + instant.getKey())
                        .containsExactlyInAnyOrderElementsOf(live.segments());
                live.segments().forEach(s -> sizes.merge(s, 1, Integer::sum));
            }
            System.out.printf("  as of %s: %d members, live = replayed; segments %s%n", instant.getKey(),
                    instant.getValue().size(), sizes);
            assertThat(sizes.keySet()).anyMatch(s -> s.startsWith("stage:"));
        }

        Instant end = List.copyOf(lived.keySet()).get(lived.size() - 1);
        Map<String, RfmSnapshot> last = lived.get(end);
        assertThat(last).hasSize(byMember.size());
        for (RfmSnapshot live : last.values()) {
            var expected = IndependentRfm.of(byMember.get(live.rfm().memberId()), end);
            var rfm = live.rfm();
            if (expected.recencyDays() == null) { // only refunds on record: never bought
                assertThat(rfm.recencyDays()).as(rfm.memberId()).isNull();
                assertThat(live.segments()).as(rfm.memberId()).isEmpty();
                continue;
            }
            assertThat(rfm.recencyDays()).as(rfm.memberId() + " R").isCloseTo(expected.recencyDays(), within(1e-9));
            assertThat(rfm.frequency30d()).as(rfm.memberId() + " F30").isEqualTo(expected.frequency30d());
            assertThat(rfm.frequency90d()).as(rfm.memberId() + " F90").isEqualTo(expected.frequency90d());
            assertThat(rfm.ordersTotal()).as(rfm.memberId() + " orders").isEqualTo(expected.ordersTotal());
            assertThat(rfm.monetaryNet90d()).as(rfm.memberId() + " M90").isCloseTo(expected.monetaryNet90d(), within(1e-6));
            assertThat(rfm.monetaryNetTotal()).as(rfm.memberId() + " M").isCloseTo(expected.monetaryNetTotal(), within(1e-6));
        }
    }

    /**
     * Waits until every event sent so far is recorded (the four partitions are consumed at their own
     * pace), the clock is at the stretch's last event and every member was re-aged to it; returns the
     * stored state.
     */
    private Map<String, RfmSnapshot> settledAt(Instant clock, long linesSent) {
        Map<String, RfmSnapshot> state = new LinkedHashMap<>();
        await().atMost(SETTLE).pollInterval(Duration.ofMillis(500)).until(() -> {
            if (rfmReads.totals().await().indefinitely()[1] < linesSent
                    || !streamClock.watermark().await().indefinitely().map(clock::equals).orElse(false)) {
                return false;
            }
            state.clear();
            String after = "";
            for (List<RfmSnapshot> page; !(page = rfmReads.snapshotsAfter(after, 1_000).await().indefinitely()).isEmpty(); ) {
                page.forEach(s -> state.put(s.rfm().memberId(), s));
                after = page.get(page.size() - 1).rfm().memberId();
            }
            return !state.isEmpty() && state.values().stream().allMatch(s -> s.rfm().asOf().equals(clock));
        });
        return Map.copyOf(state);
    }
}
