package io.memberpulse.rfm;

import static io.memberpulse.rfm.testdata.WallClock.tick;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.closeTo;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;

import com.google.protobuf.Timestamp;
import io.memberpulse.proto.identity.v1.ChannelEvent;
import io.memberpulse.proto.identity.v1.EventType;
import io.memberpulse.proto.identity.v1.MemberEvent;
import io.memberpulse.proto.identity.v1.OrderLine;
import io.memberpulse.proto.identity.v1.Source;
import io.memberpulse.proto.kafka.MemberEventDeserializer;
import io.memberpulse.proto.kafka.ProtobufSerdes;
import io.memberpulse.proto.kafka.Topics;
import io.memberpulse.rfm.domain.ConfiguredDefinitions;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.UUID;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The versions of the configured definitions (configured_definition_history) as definitions=asOf queries see them: read
 * at each rule reload and after this replica's own start recorded one, not per query; and the margin rates in force at
 * asOf. Nothing scheduled here (the profile of StaleSegmentDefinitionsTest), so the test says when a reload happens.
 */
@QuarkusTest
@TestProfile(StaleSegmentDefinitionsTest.NoPolling.class)
class ConfiguredDefinitionsAsOfTest {
    static final Instant DAY = Instant.parse("1996-04-01T10:00:00Z");

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    @Inject
    SegmentDefinitions segments;

    @Inject
    ConfiguredDefinitionsRecorder recorder;

    @Inject
    Pool pool;

    KafkaCompanion kafka;
    long lastSeq;

    @BeforeEach
    void connect() {
        kafka = new KafkaCompanion(bootstrapServers);
        kafka.registerSerde(MemberEvent.class, ProtobufSerdes.of(new MemberEventDeserializer()));
        lastSeq = pool.query("SELECT coalesce(max(seq), 0) FROM configured_definition_history").execute().await()
                .indefinitely().iterator().next().getLong(0);
    }

    @AfterEach
    void close() {
        kafka.close();
        pool.preparedQuery("DELETE FROM configured_definition_history WHERE seq > $1").execute(Tuple.of(lastSeq)).await()
                .indefinitely();
        segments.reload();
    }

    /**
     * Another replica's start records a configuration (here inserted as it would): this replica sees it at its next
     * rule reload, not before; until then its as-of queries read no table of versions.
     */
    @Test
    void aVersionRecordedElsewhereIsSeenAtTheNextRuleReloadNotBefore() {
        String member = fiveOrders(DAY, null);
        String dayAfter = DAY.plus(Duration.ofDays(1)).toString();
        // the running configuration: five orders, 1,000 in 30 days, the last under a day ago: high-value active, growing
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> get(asOf(member, dayAfter))
                .statusCode(200).body("rfm.frequency30d", equalTo(5)).body("segments", hasItem("high-value-active")));

        // a version of 1996 asking six orders of the high-value active and calling a member at risk after half a day
        insert(Instant.parse("1996-01-01T00:00:00Z"), stricter(), null, null);
        get(asOf(member, dayAfter)).statusCode(200).body("segments", hasItem("high-value-active"))
                .body("segments", not(hasItem("stage:at-risk")));

        segments.reload();
        get(asOf(member, dayAfter)).statusCode(200).body("segments", not(hasItem("high-value-active")))
                .body("segments", hasItem("potential")).body("segments", hasItem("stage:at-risk"));
    }

    /** This replica's own start, recording its configuration, is seen by its as-of queries at once. */
    @Test
    void aVersionThisReplicasStartRecordsIsSeenAtOnce() {
        Instant now = Instant.now();
        String member = fiveOrders(now.minus(Duration.ofDays(1)), null);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> get(asOf(member, Instant.now().toString()))
                .statusCode(200).body("rfm.frequency30d", equalTo(5)).body("segments", hasItem("high-value-active")));

        // another configuration begun just now (another replica's start), taken up by a reload
        insert(Instant.now(), stricter(), null, null);
        segments.reload();
        get(asOf(member, tick().toString())).statusCode(200)
                .body("segments", not(hasItem("high-value-active"))).body("segments", hasItem("stage:at-risk"));

        // this replica starting again: it records its configuration, different from the last one, from now
        recorder.record();
        get(asOf(member, tick().toString())).statusCode(200)
                .body("segments", hasItem("high-value-active")).body("segments", not(hasItem("stage:at-risk")));
    }

    /**
     * Weighted F and margin M of definitions=asOf are computed with the margin rates in force at asOf; those of
     * definitions=current (and the stored row) with the running ones. A version recorded before the rates were takes the
     * earliest recorded.
     */
    @Test
    void asOfDefinitionsComputeMarginsWithTheRatesInForceThen() {
        String member = fiveOrders(DAY, "dairy/milk"); // lines without a margin rate of their own
        String dayAfter = DAY.plus(Duration.ofDays(1)).toString();
        double running = segments.configuration().marginRates().rateOf(new io.memberpulse.rfm.domain.PurchaseLine("o",
                io.memberpulse.rfm.domain.PurchaseLine.Kind.ORDER, DAY, "s", 1, null, 0, "dairy/milk"));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> get(asOf(member, dayAfter))
                .statusCode(200).body("rfm.frequency30d", equalTo(5))
                .body("rfm.monetaryMargin90d", closeTo(1_000 * running, 1e-6)));

        // in 1996 the default rate was 0.10 and dairy's 0.50: a dairy order weighed five
        long older = insert(Instant.parse("1996-01-01T00:00:00Z"), segments.configuration(), 0.10, "dairy:0.5");
        segments.reload();
        get(asOf(member, dayAfter)).statusCode(200).body("rfm.monetaryMargin90d", closeTo(500, 1e-6))
                .body("rfm.weightedFrequency30d", closeTo(25, 1e-6)).body("rfm.monetaryNet30d", closeTo(1_000, 1e-6));
        get("/members/" + member + "/rfm?definitions=current&asOf=" + dayAfter).statusCode(200)
                .body("rfm.monetaryMargin90d", closeTo(1_000 * running, 1e-6));
        get("/members/" + member + "/rfm?asOf=" + dayAfter).statusCode(200)
                .body("rfm.monetaryMargin90d", closeTo(1_000 * running, 1e-6));

        // recorded by the release before the rates were: the earliest recorded rates, the running ones of a start
        pool.preparedQuery("UPDATE configured_definition_history SET default_margin_rate = NULL, category_margin_rates = NULL"
                + " WHERE seq = $1").execute(Tuple.of(older)).await().indefinitely();
        segments.reload();
        get(asOf(member, dayAfter)).statusCode(200)
                .body("rfm.monetaryMargin90d", closeTo(1_000 * running, 1e-6));
    }

    /** The running configuration but six orders for the high-value active and at risk after half a day. */
    ConfiguredDefinitions stricter() {
        ConfiguredDefinitions running = segments.configuration();
        var hva = running.highValueActive();
        var lifecycle = running.lifecycle();
        return new ConfiguredDefinitions(new io.memberpulse.rfm.domain.DefaultSegments.Active(hva.maxRecencyDays(),
                hva.minOrders30d() + 1, hva.minMonetary30d()), running.potential(), running.churnEdge(),
                new io.memberpulse.rfm.domain.LifecycleRules(lifecycle.dormantDays(), 0.5, lifecycle.loyalOrders90d(),
                        lifecycle.loyalMonetary90d()), running.marginRates());
    }

    /** A version as a replica's start records it (RuleSegmentRepository.recordConfiguration), rates as given. */
    long insert(Instant validFrom, ConfiguredDefinitions c, Double defaultMarginRate, String categoryMarginRates) {
        Tuple values = Tuple.of(validFrom.atOffset(ZoneOffset.UTC));
        for (Object value : new Object[] {c.highValueActive().maxRecencyDays(), c.highValueActive().minOrders30d(),
                c.highValueActive().minMonetary30d(), c.potential().maxRecencyDays(), c.potential().minOrders30d(),
                c.potential().minMonetary30d(), c.churnEdge().minRecencyDays(), c.churnEdge().maxOrders30d(),
                c.churnEdge().maxMonetary30d(), c.lifecycle().dormantDays(), c.lifecycle().atRiskDays(),
                c.lifecycle().loyalOrders90d(), c.lifecycle().loyalMonetary90d(), defaultMarginRate, categoryMarginRates}) {
            values.addValue(value);
        }
        return pool.preparedQuery("""
                INSERT INTO configured_definition_history (valid_from, high_value_active_recency,
                    high_value_active_orders_30d, high_value_active_monetary, potential_recency, potential_orders_30d,
                    potential_monetary, churn_edge_recency, churn_edge_orders_30d, churn_edge_monetary, dormant_days,
                    at_risk_days, loyal_orders_90d, loyal_monetary_90d, default_margin_rate, category_margin_rates)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) RETURNING seq""")
                .execute(values).await().indefinitely().iterator().next().getLong(0);
    }

    /** A new member with five orders of 200 an hour apart from {@code first}, lines of that category. */
    String fiveOrders(Instant first, String category) {
        String member = "m-" + UUID.randomUUID();
        var records = new ArrayList<ProducerRecord<String, MemberEvent>>();
        for (int i = 0; i < 5; i++) {
            String orderId = member + "-o" + i;
            Instant at = first.plus(Duration.ofHours(i));
            OrderLine.Builder line = OrderLine.newBuilder().setOrderId(orderId).setQuantity(1).setPaidAmount(200);
            if (category != null) {
                line.setCategory(category);
            }
            records.add(new ProducerRecord<>(Topics.MEMBER_EVENTS, member, MemberEvent.newBuilder().setMemberId(member)
                    .setEvent(ChannelEvent.newBuilder().setEventId(orderId + "-1").setSource(Source.SOURCE_POS)
                            .setType(EventType.EVENT_TYPE_ORDER).setOccurredAt(Timestamp.newBuilder().setSeconds(at.getEpochSecond()))
                            .setStoreId("s-042").setLine(line))
                    .build()));
        }
        kafka.produce(String.class, MemberEvent.class).fromRecords(records).awaitCompletion();
        return member;
    }

    /** Numbers as doubles (RestAssured's default is float), to compare margins closely. */
    static io.restassured.response.ValidatableResponse get(String path) {
        return given().config(io.restassured.RestAssured.config().jsonConfig(io.restassured.config.JsonConfig.jsonConfig()
                .numberReturnType(io.restassured.path.json.config.JsonPathConfig.NumberReturnType.DOUBLE)))
                .get(path).then();
    }

    static String asOf(String member, String at) {
        return "/members/" + member + "/rfm?definitions=asOf&asOf=" + at;
    }
}
