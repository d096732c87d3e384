package io.memberpulse.rfm.api.rest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;

import io.memberpulse.devstack.testing.AuthTestResource;
import io.memberpulse.proto.identity.v1.MemberEvent;
import io.memberpulse.proto.kafka.MemberEventDeserializer;
import io.memberpulse.proto.kafka.ProtobufSerdes;
import io.memberpulse.rfm.domain.Dashboard;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/** The region comparison (GET /dashboard/regions) over the store directory analysts maintain (PUT/GET /stores). */
@QuarkusTest
class RegionComparisonTest {
    /** A period of its own, so that the other tests' orders do not mix into this test's regions. */
    static final Instant T0 = Instant.parse("2014-06-02T10:00:00Z");
    static final String WINDOW = "?from=" + T0.minus(Duration.ofDays(1)) + "&to=" + T0.plus(Duration.ofDays(30));

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    @Test
    void eachRegionHoldsItsStoresFiguresCountingAMemberOncePerRegion() {
        String run = UUID.randomUUID().toString().substring(0, 8);
        String n1 = "n1-" + run;
        String n2 = "n2-" + run;
        String s1 = "s1-" + run;
        String u1 = "u1-" + run;
        String north = "North " + run;
        String south = "South " + run;
        List<ProducerRecord<String, MemberEvent>> records = new ArrayList<>();
        // m1 buys once at each of the north's two stores; m2 twice at n1; m3 once in the south and once at a store
        // without a region; m4 once at n2.
        records.add(DashboardResourceTest.order("m1-" + run, n1, "o1-" + run, T0, 40));
        records.add(DashboardResourceTest.order("m1-" + run, n2, "o2-" + run, T0.plus(Duration.ofDays(2)), 60));
        records.add(DashboardResourceTest.order("m2-" + run, n1, "o3-" + run, T0.plus(Duration.ofDays(1)), 100));
        records.add(DashboardResourceTest.order("m2-" + run, n1, "o4-" + run, T0.plus(Duration.ofDays(5)), 50));
        records.add(DashboardResourceTest.order("m3-" + run, s1, "o5-" + run, T0, 30));
        records.add(DashboardResourceTest.order("m3-" + run, u1, "o6-" + run, T0.plus(Duration.ofDays(3)), 70));
        records.add(DashboardResourceTest.order("m4-" + run, n2, "o7-" + run, T0.plus(Duration.ofDays(4)), 20));
        try (KafkaCompanion kafka = new KafkaCompanion(bootstrapServers)) {
            kafka.registerSerde(MemberEvent.class, ProtobufSerdes.of(new MemberEventDeserializer()));
            kafka.produce(String.class, MemberEvent.class).fromRecords(records).awaitCompletion();
        }
        put(n1, north).then().statusCode(200).body("storeId", equalTo(n1)).body("region", equalTo(north));
        put(n2, "  " + north + " ").then().statusCode(200).body("region", equalTo(north)); // stripped
        put(s1, south).then().statusCode(200);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(stores())
                .extractingByKeys(n1, n2, s1, u1).doesNotContainNull()
                .extracting(Dashboard.StoreRow::orders).containsExactly(3L, 2L, 1L, 1L));

        Map<String, Dashboard.StoreRow> stores = stores();
        Map<String, Dashboard.RegionRow> regions = regions();
        // The store comparison counts m1 in n1 and in n2; the north counts m1 once, and as a repeat buyer (two orders
        // there): three members, not the stores' four.
        assertThat(stores.get(n1)).isEqualTo(new Dashboard.StoreRow(n1, 2, 3, 190, 190.0 / 3, 0.5));
        assertThat(stores.get(n2)).isEqualTo(new Dashboard.StoreRow(n2, 2, 2, 80, 40, 0));
        assertThat(regions.get(north)).isEqualTo(new Dashboard.RegionRow(north, List.of(n1, n2), 3, 5, 270, 54, 2.0 / 3));
        // m3 bought in the south and at an unassigned store: one member of each.
        assertThat(regions.get(south)).isEqualTo(new Dashboard.RegionRow(south, List.of(s1), 1, 1, 30, 30, 0));
        assertThat(regions.get("unassigned").stores()).contains(u1).doesNotContain(n1, n2, s1);
        assertEveryRegionAggregatesItsStores(regions, stores);

        // Moved to the south, n2 takes its orders, members and m1's order there along.
        put(n2, south).then().statusCode(200).body("region", equalTo(south));
        regions = regions();
        assertThat(regions.get(north)).isEqualTo(new Dashboard.RegionRow(north, List.of(n1), 2, 3, 190, 190.0 / 3, 0.5));
        assertThat(regions.get(south)).isEqualTo(new Dashboard.RegionRow(south, List.of(n2, s1), 3, 3, 110, 110.0 / 3, 0));
        assertEveryRegionAggregatesItsStores(regions, stores());

        given().get("/stores").then().statusCode(200)
                .body("find { it.storeId == '" + n1 + "' }.region", equalTo(north))
                .body("find { it.storeId == '" + n2 + "' }.region", equalTo(south))
                .body("find { it.storeId == '" + n2 + "' }.updatedAt", not(equalTo(null)))
                .body("storeId", not(hasItem(u1)));
    }

    /**
     * Each region row against the store comparison's rows of its stores, over the same window: orders and revenue
     * are their sums, the order value their quotient; members are at least the largest store's and at most their sum
     * (a member who bought at several of its stores counts once). Every store with orders is in exactly one region.
     */
    static void assertEveryRegionAggregatesItsStores(Map<String, Dashboard.RegionRow> regions,
            Map<String, Dashboard.StoreRow> stores) {
        Set<String> placed = new HashSet<>();
        for (Dashboard.RegionRow region : regions.values()) {
            List<Dashboard.StoreRow> own = new ArrayList<>(region.stores().stream().map(stores::get).toList());
            if (region.region().equals("unassigned") && stores.containsKey(null)) {
                own.add(stores.get(null)); // orders without a store
            }
            assertThat(own).as(region.region()).doesNotContainNull();
            long orders = own.stream().mapToLong(Dashboard.StoreRow::orders).sum();
            double revenue = own.stream().mapToDouble(Dashboard.StoreRow::revenue).sum();
            assertThat(region.orders()).as(region.region()).isEqualTo(orders);
            assertThat(region.revenue()).as(region.region()).isCloseTo(revenue, within(1e-6));
            assertThat(region.averageOrderValue()).as(region.region()).isCloseTo(revenue / orders, within(1e-6));
            assertThat(region.members()).as(region.region())
                    .isBetween(own.stream().mapToLong(Dashboard.StoreRow::members).max().orElse(0),
                            own.stream().mapToLong(Dashboard.StoreRow::members).sum());
            for (String store : region.stores()) {
                assertThat(placed.add(store)).as(store + " in one region only").isTrue();
            }
        }
        assertThat(placed).containsAll(stores.keySet().stream().filter(Objects::nonNull).toList());
    }

    @Test
    void aStoreRemovedFromTheDirectoryCountsUnderUnassignedFromTheNextCall() {
        String run = UUID.randomUUID().toString().substring(0, 8);
        String store = "r1-" + run;
        String region = "Removed " + run;
        // m1 buys twice at the store, m2 once: the region's only store, with members the unassigned row has not seen
        List<ProducerRecord<String, MemberEvent>> records = List.of(
                DashboardResourceTest.order("m1-" + run, store, "o1-" + run, T0, 40),
                DashboardResourceTest.order("m1-" + run, store, "o2-" + run, T0.plus(Duration.ofDays(1)), 60),
                DashboardResourceTest.order("m2-" + run, store, "o3-" + run, T0.plus(Duration.ofDays(2)), 25));
        try (KafkaCompanion kafka = new KafkaCompanion(bootstrapServers)) {
            kafka.registerSerde(MemberEvent.class, ProtobufSerdes.of(new MemberEventDeserializer()));
            kafka.produce(String.class, MemberEvent.class).fromRecords(records).awaitCompletion();
        }
        put(store, region).then().statusCode(200);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(regions().get(region))
                .isEqualTo(new Dashboard.RegionRow(region, List.of(store), 2, 3, 125, 125.0 / 3, 0.5)));
        Dashboard.RegionRow unassigned = regions().get("unassigned");

        given().delete("/stores/" + store).then().statusCode(204);

        Map<String, Dashboard.RegionRow> regions = regions();
        assertThat(regions).doesNotContainKey(region);
        Dashboard.RegionRow now = regions.get("unassigned");
        assertThat(now.stores()).contains(store);
        // the store's two members, three orders and 125 of revenue join the unassigned row
        assertThat(now.members()).isEqualTo((unassigned == null ? 0 : unassigned.members()) + 2);
        assertThat(now.orders()).isEqualTo((unassigned == null ? 0 : unassigned.orders()) + 3);
        assertThat(now.revenue()).isCloseTo((unassigned == null ? 0 : unassigned.revenue()) + 125, within(1e-6));
        assertEveryRegionAggregatesItsStores(regions, stores());
        given().get("/stores").then().statusCode(200).body("storeId", not(hasItem(store)));

        // a second removal, or one of a store never given a region, finds no entry: 404 naming the store
        for (String absent : List.of(store, "never-" + run)) {
            given().delete("/stores/" + absent).then().statusCode(404).contentType("application/problem+json")
                    .body("detail", equalTo("store " + absent + " has no entry in the store directory"));
        }
        refused(given().delete("/stores/" + "s".repeat(129)), "storeId", "is 129 characters long, at most 128 are accepted");
        // given a region again, the store leaves the unassigned row
        put(store, region).then().statusCode(200);
        assertThat(regions().get(region).stores()).containsExactly(store);
    }

    @Test
    void aRegionIsRequiredNotBlankBoundedAndNotTheUnassignedRow() {
        String store = "bad-" + UUID.randomUUID().toString().substring(0, 8);
        refused(given().contentType(ContentType.JSON).body("{\"region\": \"\"}").put("/stores/" + store), "region",
                "must not be blank");
        refused(given().contentType(ContentType.JSON).body("{\"region\": \"  \"}").put("/stores/" + store), "region",
                "must not be blank");
        refused(given().contentType(ContentType.JSON).body("{}").put("/stores/" + store), "region", "is required");
        refused(given().contentType(ContentType.JSON).body("{\"region\": null}").put("/stores/" + store), "region",
                "is required");
        refused(put(store, "x".repeat(101)), "region", "is 101 characters long, at most 100 are accepted");
        refused(put(store, "North\u0007"), "region", "must not contain control characters");
        refused(put(store, "unassigned"), "region",
                "\"unassigned\" is where stores without a region are counted; name the store's region");
        refused(given().contentType(ContentType.JSON).put("/stores/" + store), "body", null);
        refused(given().contentType(ContentType.JSON).body("{\"regoin\": \"North\"}").put("/stores/" + store), "regoin",
                null);
        refused(put("s".repeat(129), "North"), "storeId", "is 129 characters long, at most 128 are accepted");
        given().get("/stores").then().statusCode(200).body("storeId", not(hasItem(store)));
        put(store, "x".repeat(100)).then().statusCode(200);
    }

    @Test
    void storeStaffNeitherSeeNorChangeTheRegionsTheStoresOrTheDirectory() {
        // rfm-service's dashboards are head office's: a staff token, even of a store in the region, is refused as
        // for the store comparison (no store-scoped figures are served here).
        String store = "staff-" + UUID.randomUUID().toString().substring(0, 8);
        put(store, "Staff region").then().statusCode(200);
        String staff = AuthTestResource.staff(store);
        for (String path : List.of("/dashboard/stores", "/dashboard/regions", "/stores")) {
            given().header("Authorization", "Bearer " + staff).get(path + WINDOW).then().statusCode(403);
        }
        given().header("Authorization", "Bearer " + staff).contentType(ContentType.JSON).body("{\"region\": \"Mine\"}")
                .put("/stores/" + store).then().statusCode(403);
        given().header("Authorization", "Bearer " + staff).delete("/stores/" + store).then().statusCode(403);
        given().get("/stores").then().statusCode(200).body("find { it.storeId == '" + store + "' }.region",
                equalTo("Staff region"));
    }

    static io.restassured.response.Response put(String store, String region) {
        return given().contentType(ContentType.JSON).body(Map.of("region", region)).put("/stores/" + store);
    }

    static void refused(io.restassured.response.Response response, String field, String reason) {
        response.then().statusCode(400).contentType("application/problem+json").body("errors[0].field", equalTo(field));
        if (reason != null) {
            response.then().body("errors[0].reason", equalTo(reason));
        }
    }

    static Map<String, Dashboard.StoreRow> stores() {
        Dashboard.StoreRow[] rows = given().get("/dashboard/stores" + WINDOW).then().statusCode(200).extract()
                .as(Dashboard.StoreRow[].class);
        Map<String, Dashboard.StoreRow> byId = new java.util.HashMap<>();
        Arrays.stream(rows).forEach(row -> byId.put(row.storeId(), row));
        return byId;
    }

    static Map<String, Dashboard.RegionRow> regions() {
        Dashboard.RegionRow[] rows = given().get("/dashboard/regions" + WINDOW).then().statusCode(200).extract()
                .as(Dashboard.RegionRow[].class);
        return Arrays.stream(rows).collect(Collectors.toMap(Dashboard.RegionRow::region, Function.identity()));
    }
}
