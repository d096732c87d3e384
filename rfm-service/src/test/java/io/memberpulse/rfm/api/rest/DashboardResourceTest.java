package io.memberpulse.rfm.api.rest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import com.google.protobuf.Timestamp;
import io.memberpulse.devstack.testing.AuthTestResource;
import io.memberpulse.devstack.testing.HeadlessChromium;
import io.memberpulse.proto.identity.v1.ChannelEvent;
import io.memberpulse.proto.identity.v1.EventType;
import io.memberpulse.proto.identity.v1.MemberEvent;
import io.memberpulse.proto.identity.v1.OrderLine;
import io.memberpulse.proto.identity.v1.Source;
import io.memberpulse.proto.kafka.MemberEventDeserializer;
import io.memberpulse.proto.kafka.ProtobufSerdes;
import io.memberpulse.proto.kafka.Topics;
import io.memberpulse.rfm.domain.Dashboard;
import io.memberpulse.rfm.store.DashboardRepository;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

@QuarkusTest
class DashboardResourceTest {
    /** A year of its own, so that the other tests' members do not show in this window. */
    static final Instant Y0 = Instant.parse("2019-03-04T10:00:00Z");

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    @Inject
    DashboardRepository dashboards;

    static ProducerRecord<String, MemberEvent> order(String member, String store, String orderId, Instant at, double paid) {
        MemberEvent event = MemberEvent.newBuilder().setMemberId(member).setEvent(ChannelEvent.newBuilder()
                .setEventId(orderId + "-1").setSource(Source.SOURCE_POS).setType(EventType.EVENT_TYPE_ORDER)
                .setOccurredAt(Timestamp.newBuilder().setSeconds(at.getEpochSecond())).setStoreId(store)
                .setLine(OrderLine.newBuilder().setOrderId(orderId).setQuantity(1).setPaidAmount(paid))).build();
        return new ProducerRecord<>(Topics.MEMBER_EVENTS, member, event);
    }

    @Test
    void theDashboardViewsAggregateNetOrders() {
        String run = seed(Y0);
        String storeA = "a-" + run;
        String storeB = "b-" + run;
        String window = "?from=" + Y0.minus(Duration.ofDays(1)) + "&to=" + Y0.plus(Duration.ofDays(60));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> given().get("/dashboard/repurchase" + window)
                .then().statusCode(200).body("buyers", equalTo(3)).body("repeatBuyers", equalTo(2))
                .body("medianCycleDays", equalTo(11.5f)));
        given().get("/dashboard/funnel" + window).then().statusCode(200)
                .body("find { it.storeId == '" + storeA + "' }.newMembers", equalTo(2))
                .body("find { it.storeId == '" + storeA + "' }.repurchasedWithin7Days", equalTo(1))
                .body("find { it.storeId == '" + storeB + "' }.repurchasedWithin7Days", equalTo(0));
        given().get("/dashboard/stores" + window).then().statusCode(200)
                .body("find { it.storeId == '" + storeA + "' }.revenue", equalTo(220.0f))
                .body("find { it.storeId == '" + storeA + "' }.averageOrderValue", equalTo(220.0f / 3));
        given().get("/dashboard/order-values" + window + "&width=50").then().statusCode(200)
                .body("find { it.from == 0.0 }.orders", equalTo(3));
        given().get("/dashboard/activity" + window).then().statusCode(200).body("[0].activeMembers", equalTo(3));
        given().get("/dashboard/order-values?width=0").then().statusCode(400).body("errors[0].field", equalTo("width"));
        given().get("/dashboard/order-values?width=wide").then().statusCode(400).body("errors[0].field", equalTo("width"));
        // narrower than a cent: net / width overflowed PostgreSQL's double precision (a 500)
        given().get("/dashboard/order-values?width=1e-310").then().statusCode(400).body("errors[0].field", equalTo("width"))
                .body("errors[0].reason", equalTo("must be a finite number, 0.01 or more"));
        given().get("/dashboard/stores?from=2019-01-01T00:00:00Z&to=2018-01-01T00:00:00Z").then().statusCode(400)
                .body("errors[0].field", equalTo("to"));
        // outside the years gRPC takes (0001..9999), refused the same way over REST
        given().get("/dashboard/activity?from=-10000-01-01T00:00:00Z").then().statusCode(400)
                .body("errors[0].field", equalTo("from")).body("errors[0].reason", containsString("is outside"));
        // and inside them, before 1900 too (FieldChecks' 1900 is for what memberpulse stores, not what rfm is asked)
        given().get("/dashboard/repurchase?from=1850-01-01&to=1851-01-01").then().statusCode(200);
    }

    /**
     * A refund whose order is not known (Online Retail gives every cancellation an invoice id of its own) comes off the
     * revenue at its own time and store, as it comes off M; it is no order, so no order count or order value holds it.
     * The views dropped it (revenue before returns, disagreeing with M).
     */
    @Test
    void aRefundOfAnUnknownOrderIsNegativeRevenueAtItsOwnTimeAndStore() {
        String run = UUID.randomUUID().toString().substring(0, 8);
        String store = "r-" + run;
        String returns = "q-" + run;
        Instant monday = Instant.parse("2017-05-01T02:00:00Z"); // 10:00 in Shanghai
        Instant nextMonday = monday.plus(Duration.ofDays(7));
        MemberEvent refund = order("m1-" + run, returns, "c9-" + run, nextMonday, 0).value();
        refund = refund.toBuilder().setEvent(refund.getEvent().toBuilder().setEventId("c9-" + run + "-refund")
                .setType(EventType.EVENT_TYPE_REFUND).setLine(OrderLine.newBuilder().setOrderId("c9-" + run)
                        .setRefundAmount(30))).build();
        try (KafkaCompanion kafka = new KafkaCompanion(bootstrapServers)) {
            kafka.registerSerde(MemberEvent.class, ProtobufSerdes.of(new MemberEventDeserializer()));
            kafka.produce(String.class, MemberEvent.class).fromRecords(List.of(
                    order("m1-" + run, store, "o1-" + run, monday, 100), order("m2-" + run, store, "o2-" + run, nextMonday, 50),
                    new ProducerRecord<>(Topics.MEMBER_EVENTS, "m1-" + run, refund))).awaitCompletion();
        }
        // M of the member who returned: 100 - 30
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> given().get("/members/m1-" + run + "/rfm?asOf="
                + nextMonday.plus(Duration.ofDays(1))).then().statusCode(200).body("rfm.monetaryNetTotal", equalTo(70.0f)));
        String window = "?from=" + monday.minus(Duration.ofDays(1)) + "&to=" + monday.plus(Duration.ofDays(14));
        given().get("/dashboard/activity" + window).then().statusCode(200)
                .body("week", org.hamcrest.Matchers.contains("2017-05-01", "2017-05-08"))
                .body("revenue", org.hamcrest.Matchers.contains(100.0f, 20.0f))
                .body("orders", org.hamcrest.Matchers.contains(1, 1))
                .body("activeMembers", org.hamcrest.Matchers.contains(1, 1));
        given().get("/dashboard/stores" + window).then().statusCode(200)
                .body("find { it.storeId == '" + store + "' }.revenue", equalTo(150.0f))
                .body("find { it.storeId == '" + store + "' }.averageOrderValue", equalTo(75.0f))
                .body("find { it.storeId == '" + returns + "' }.revenue", equalTo(-30.0f))
                .body("find { it.storeId == '" + returns + "' }.orders", equalTo(0))
                .body("find { it.storeId == '" + returns + "' }.members", equalTo(0));
        given().get("/dashboard/regions" + window).then().statusCode(200)
                .body("find { it.region == 'unassigned' }.revenue", equalTo(120.0f))
                .body("find { it.region == 'unassigned' }.orders", equalTo(2))
                .body("find { it.region == 'unassigned' }.members", equalTo(2))
                .body("find { it.region == 'unassigned' }.stores", org.hamcrest.Matchers.contains(returns, store));
        given().get("/dashboard/order-values" + window + "&width=50").then().statusCode(200)
                .body("orders.sum()", equalTo(2)).body("from", org.hamcrest.Matchers.contains(50.0f, 100.0f));
        given().get("/dashboard/repurchase" + window).then().statusCode(200).body("buyers", equalTo(2));
    }

    @Test
    void aFromAfterTheEventClockWithoutToIsRefusedNamingFrom() {
        // the window was [from, clock): inverted, and every view answered nothing as if nothing had happened
        for (String view : List.of("funnel", "activity", "repurchase", "order-values", "stores", "regions", "segments")) {
            given().get("/dashboard/" + view + "?from=9000-01-01T00:00:00Z").then().statusCode(400)
                    .body("errors[0].field", equalTo("from")).body("errors[0].reason", startsWith("must be before the window's end"));
        }
    }

    @Test
    void twoChannelsOrdersUnderTheSameOrderIdAreTwoOrders() {
        String run = UUID.randomUUID().toString().substring(0, 8);
        String store = "c-" + run;
        Instant at = Instant.parse("2013-04-01T10:00:00Z");
        var till = order("m-" + run, store, "1001-" + run, at, 50);
        MemberEvent app = order("m-" + run, store, "1001-" + run, at.plus(Duration.ofDays(1)), 70).value();
        app = app.toBuilder().setEvent(app.getEvent().toBuilder().setEventId("app-" + run).setSource(Source.SOURCE_MINIAPP))
                .build();
        try (KafkaCompanion kafka = new KafkaCompanion(bootstrapServers)) {
            kafka.registerSerde(MemberEvent.class, ProtobufSerdes.of(new MemberEventDeserializer()));
            kafka.produce(String.class, MemberEvent.class).fromRecords(List.of(till,
                    new ProducerRecord<>(Topics.MEMBER_EVENTS, "m-" + run, app))).awaitCompletion();
        }
        String window = "?from=" + at.minus(Duration.ofDays(1)) + "&to=" + at.plus(Duration.ofDays(5));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> given().get("/dashboard/stores" + window).then()
                .statusCode(200).body("find { it.storeId == '" + store + "' }.revenue", equalTo(120.0f))
                .body("find { it.storeId == '" + store + "' }.averageOrderValue", equalTo(60.0f)));
    }

    @Test
    void theFunnelRateCountsOnlyNewMembersWhoseSevenDaysAreOver() {
        // The clock is the event time every test shares: asked directly with clocks of this test's own choosing.
        Instant y0 = Y0.minus(Duration.ofDays(800));
        String run = seed(y0);
        Instant from = y0.minus(Duration.ofDays(1));
        Instant to = y0.plus(Duration.ofDays(60));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            assertThat(funnelOf("a-" + run, from, to, to)).isNotNull().extracting(Dashboard.FunnelRow::newMembers).isEqualTo(2L);
            assertThat(funnelOf("b-" + run, from, to, to)).isNotNull().extracting(Dashboard.FunnelRow::newMembers).isEqualTo(1L);
        });
        // Five days in: store A's two new members have not had their 7 days; m1's repurchase on day 3 waits too.
        assertThat(funnelOf("a-" + run, from, to, y0.plus(Duration.ofDays(5))))
                .isEqualTo(new Dashboard.FunnelRow("a-" + run, 2, 0, 2, 0));
        // 7.5 days in: m1's week is over (bought again), m2's (first order on day 1) is not.
        assertThat(funnelOf("a-" + run, from, to, y0.plus(Duration.ofHours(180))))
                .isEqualTo(new Dashboard.FunnelRow("a-" + run, 2, 1, 1, 1.0));
        assertThat(funnelOf("b-" + run, from, to, to)).isEqualTo(new Dashboard.FunnelRow("b-" + run, 1, 0, 0, 0.0));
    }

    Dashboard.FunnelRow funnelOf(String store, Instant from, Instant to, Instant clock) {
        return dashboards.funnel(from, to, clock).await().indefinitely().stream()
                .filter(row -> row.storeId().equals(store)).findFirst().orElse(null);
    }

    /** Three members of two stores around the instant; returns the run id in their names. */
    @Test
    void aSegmentNobodyIsInIsRecordedAsZeroNotLeftOut() {
        String segment = "nobody-" + UUID.randomUUID().toString().substring(0, 8);
        try {
            // Defining it re-evaluates everyone, which records the day's sizes.
            given().contentType("application/json").body("{\"id\": \"%s\", \"name\": \"Nobody\", \"rule\": \"false\"}"
                    .formatted(segment)).post("/segments").then().statusCode(201).body("size", equalTo(0));
            given().get("/dashboard/segments").then().statusCode(200)
                    .body("findAll { it.segmentId == '" + segment + "' }.size", equalTo(List.of(0)));
        } finally {
            given().delete("/segments/" + segment);
        }
    }

    @Test
    void weeksAreTheChainsCalendarWeeks() {
        // Sunday 6 March 2016, 20:00 UTC, is Monday 04:00 in Shanghai: the orders of that evening open a new week there.
        Instant sundayEvening = Instant.parse("2016-03-06T20:00:00Z");
        seed(sundayEvening);
        Instant from = sundayEvening.minus(Duration.ofDays(7));
        Instant to = sundayEvening.plus(Duration.ofDays(30));
        var shanghai = ZoneId.of("Asia/Shanghai");
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(dashboards.activity(from, to, shanghai)
                .await().indefinitely()).extracting(Dashboard.TrendRow::orders).containsExactly(4L, 1L));
        assertThat(dashboards.activity(from, to, shanghai).await().indefinitely())
                .extracting(Dashboard.TrendRow::week, Dashboard.TrendRow::activeMembers).containsExactly(
                        tuple(LocalDate.parse("2016-03-07"), 3L),
                        tuple(LocalDate.parse("2016-03-21"), 1L));
        // A bare offset is the same calendar (PostgreSQL alone would read +08:00 as eight hours west)
        assertThat(dashboards.activity(from, to, ZoneOffset.ofHours(8)).await().indefinitely())
                .extracting(Dashboard.TrendRow::week, Dashboard.TrendRow::orders).containsExactly(
                        tuple(LocalDate.parse("2016-03-07"), 4L), tuple(LocalDate.parse("2016-03-21"), 1L));
        // In UTC the same evening still belongs to the week before.
        assertThat(dashboards.activity(from, to, ZoneOffset.UTC).await().indefinitely())
                .extracting(Dashboard.TrendRow::week, Dashboard.TrendRow::orders).containsExactly(
                        tuple(LocalDate.parse("2016-02-29"), 2L),
                        tuple(LocalDate.parse("2016-03-07"), 2L),
                        tuple(LocalDate.parse("2016-03-21"), 1L));
        // The service cuts weeks in memberpulse.rfm.day-zone (Asia/Shanghai by default).
        given().get("/dashboard/activity?from=" + from + "&to=" + to).then().statusCode(200)
                .body("[0].week", equalTo("2016-03-07")).body("[0].orders", equalTo(4));
        // A date is the start of that day in the same calendar: 7 March begins in Shanghai before Sunday evening's
        // orders (at midnight UTC it would leave them out).
        given().get("/dashboard/activity?from=2016-03-07&to=2016-04-06").then().statusCode(200)
                .body("[0].week", equalTo("2016-03-07")).body("[0].orders", equalTo(4));
        given().get("/dashboard/activity?from=2016-03-07&to=2016-03-07T12:00").then().statusCode(400)
                .body("errors[0].field", equalTo("to"));
    }

    String seed(Instant y0) {
        String run = UUID.randomUUID().toString().substring(0, 8);
        String storeA = "a-" + run;
        String storeB = "b-" + run;
        List<ProducerRecord<String, MemberEvent>> records = new ArrayList<>();
        // Store A: two new members, one buys again 3 days later; store B: one new member, again after 20 days.
        records.add(order("m1-" + run, storeA, "o1-" + run, y0, 40));
        records.add(order("m1-" + run, storeA, "o2-" + run, y0.plus(Duration.ofDays(3)), 60));
        records.add(order("m2-" + run, storeA, "o3-" + run, y0.plus(Duration.ofDays(1)), 120));
        records.add(order("m3-" + run, storeB, "o4-" + run, y0, 30));
        records.add(order("m3-" + run, storeB, "o5-" + run, y0.plus(Duration.ofDays(20)), 30));
        try (KafkaCompanion kafka = new KafkaCompanion(bootstrapServers)) {
            kafka.registerSerde(MemberEvent.class, ProtobufSerdes.of(new MemberEventDeserializer()));
            kafka.produce(String.class, MemberEvent.class).fromRecords(records).awaitCompletion();
        }
        return run;
    }

    @Test
    void theInsightsPageShowsTheViewsInABrowser() throws Exception {
        HeadlessChromium.assumeInstalled();
        Instant base = Y0.minus(Duration.ofDays(400));
        seed(base);
        String window = "?from=" + base.minus(Duration.ofDays(1)) + "&to=" + base.plus(Duration.ofDays(60));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> given().get("/dashboard/repurchase" + window)
                .then().statusCode(200).body("buyers", equalTo(3)));
        ChromeDriver browser = HeadlessChromium.start("1000,1400");
        try {
            String page = "http://localhost:" + RestAssured.port + "/insights/index.html" + window;
            // without a token the page says how to sign in
            browser.get(page);
            new WebDriverWait(browser, Duration.ofSeconds(20)).until(
                    ExpectedConditions.attributeToBe(By.tagName("body"), "data-loaded", "error"));
            assertThat(browser.findElement(By.id("window")).getText()).contains("sign-in needed");
            // an analyst's token in the fragment: kept for the tab, out of the address bar (about:blank first: a
            // change of fragment alone would not load the page again)
            browser.get("about:blank");
            browser.get(page + "#token=" + AuthTestResource.analyst());
            new WebDriverWait(browser, Duration.ofSeconds(20)).until(
                    ExpectedConditions.attributeToBe(By.tagName("body"), "data-loaded", "true"));
            assertThat(browser.getCurrentUrl()).doesNotContain("token");
            assertThat(browser.findElement(By.id("buyers")).getText()).isEqualTo("3");
            assertThat(browser.findElement(By.id("repurchase-rate")).getText()).isEqualTo("66.7%");
            assertThat(browser.findElements(By.cssSelector("#activity rect"))).isNotEmpty();
            assertThat(browser.findElements(By.cssSelector("#stores tbody tr"))).isNotEmpty();
            assertThat(browser.findElements(By.cssSelector("#regions tbody tr"))).isNotEmpty();
            assertThat(browser.findElement(By.id("segments")).getText()).contains("Lifecycle");
            Files.write(Path.of("target/insights.png"), browser.getScreenshotAs(OutputType.BYTES));
        } finally {
            browser.quit();
        }
    }
}
