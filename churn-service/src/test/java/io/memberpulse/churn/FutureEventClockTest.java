package io.memberpulse.churn;

import static io.memberpulse.churn.ScoringFixture.WAIT;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.memberpulse.churn.store.ModelInputRepository;
import io.memberpulse.churn.store.StreamClockRepository;
import io.memberpulse.proto.kafka.Topics;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The event-time clock follows the events' time, but not beyond this replica's clock plus
 * memberpulse.churn.max-clock-lead: one event stamped hours ahead (a till sending local time marked UTC) would
 * otherwise age every member, for good, as the clock never moves back. Runs in a JVM (and so a database) of its own,
 * the surefire execution "clock", with the lead of production (5m): the other tests count event time from 2030, so
 * their JVM lifts the cap (application.properties, %test); a -Dtest pattern that also matches this test there skips it.
 */
@QuarkusTest
@EnabledIfSystemProperty(named = "churn-test-jvm", matches = "clock")
class FutureEventClockTest {
    private static final Instant PAST = Instant.parse("2024-05-01T10:00:00Z");

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    @ConfigProperty(name = "memberpulse.churn.max-clock-lead")
    Duration maxClockLead;

    @Inject
    ModelInputRepository inputs;

    @Inject
    StreamClockRepository streamClock;

    @Test
    void anEventHoursAheadMovesTheClockNoFurtherThanNowPlusTheLead() {
        assertThat(maxClockLead).as("this JVM runs with production's lead").isEqualTo(Duration.ofMinutes(5));
        String run = ScoringFixture.runId();
        try (ScoringFixture kafka = new ScoringFixture(bootstrapServers)) {
            // History (an import of old data) moves the clock to its events exactly.
            String old = "past-" + run;
            kafka.produce(Topics.MEMBER_EVENTS, old, ScoringFixture.order(old, old + "-0", PAST, "S-" + run));
            await().atMost(WAIT).until(() -> streamClock.watermark().await().indefinitely().isPresent());
            assertThat(streamClock.watermark().await().indefinitely()).contains(PAST);
            double aheadBefore = scraped("memberpulse_churn_events_ahead_of_clock_total");

            // A till eight hours ahead.
            String ahead = "ahead-" + run;
            Instant sent = Instant.now().truncatedTo(ChronoUnit.MILLIS);
            kafka.produce(Topics.MEMBER_EVENTS, ahead,
                    ScoringFixture.order(ahead, ahead + "-0", sent.plus(Duration.ofHours(8)), "S-" + run));
            await().atMost(WAIT).until(() -> streamClock.watermark().await().indefinitely().orElseThrow().isAfter(PAST));
            Instant recorded = Instant.now();
            Instant clock = streamClock.watermark().await().indefinitely().orElseThrow();
            assertThat(clock).as("moved to the present, not beyond it by more than the lead")
                    .isAfterOrEqualTo(sent.plus(maxClockLead).minusMillis(1))
                    .isBeforeOrEqualTo(recorded.plus(maxClockLead).plusMillis(1));
            // The event itself is stored as stamped (it counts once the clock reaches it), and counted as ahead.
            assertThat(inputs.purchasesOf(List.of(ahead)).await().indefinitely().get(ahead))
                    .singleElement().satisfies(p -> assertThat(p.occurredAt()).isEqualTo(sent.plus(Duration.ofHours(8))));
            assertThat(scraped("memberpulse_churn_events_ahead_of_clock_total")).isEqualTo(aheadBefore + 1);
        }
    }

    /** A sample's value as /q/metrics serves it (Prometheus text format); 0 before the first. */
    private static double scraped(String sample) {
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        Matcher value = Pattern.compile("(?m)^" + Pattern.quote(sample) + " (\\S+)$").matcher(metrics);
        return value.find() ? Double.parseDouble(value.group(1)) : 0;
    }
}
