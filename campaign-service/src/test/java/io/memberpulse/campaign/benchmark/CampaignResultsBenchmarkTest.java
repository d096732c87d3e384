package io.memberpulse.campaign.benchmark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.memberpulse.campaign.domain.experiment.Arm;
import io.memberpulse.campaign.domain.experiment.Assignment;
import io.memberpulse.campaign.store.CampaignRepository;
import io.memberpulse.campaign.testdata.Campaigns;
import io.memberpulse.campaign.testdata.ChurnEvents;
import io.memberpulse.devstack.testing.AuthTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import io.restassured.path.json.config.JsonPathConfig;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * How long a campaign's review takes ({@code GET /campaigns/{id}/results}, CampaignRepository.windows) on a large
 * campaign: an SMS campaign with variants a, b and c and a 10% holdout, started 20 days ago, going live with nobody,
 * then {@code results.members} (100,000) members enrolled straight into campaign_member with the arm and variant
 * Assignment gives them (as going live would), and {@code results.others} (100,000) members who are not enrolled.
 * Every member has {@code results.orders} (4) orders of 2 or 3 lines each over the 25 days up to 5 days before today (two
 * fifths before the window), inserted with generate_series as member.events would have them stored: 3 in 10 lines
 * carry a margin_rate, the others a category path of which the tests' category-margin-rates (garden:0.5,
 * garden/seeds:0.1) price about a quarter, gardening/ none, 1 in 12 none at all; one order in 8 has a refund within 5
 * days (1 in 10 of them with a rate, half with a category), a quarter of them of an order that is not stored; every
 * 20th enrolled member redeemed one of the campaign's coupons, on their first order (priced at that order's rate). Then
 * ANALYZE (autovacuum's job after such a load), the first GET, {@code results.calls} (10) more, and EXPLAIN ANALYZE of
 * the windows statement and of the coupons' one. Prints progress, the
 * latencies and the plan; asserts only the counts and revenue that could break, never a time.
 * Run: ./mvnw verify -pl campaign-service -am -Dsurefire.failIfNoSpecifiedTests=false -Dexcluded.test.groups=none
 *      -Dgroups=benchmark -Dtest=CampaignResultsBenchmarkTest [-Dresults.members=100000 -Dresults.others=100000
 *      -Dresults.orders=4 -Dresults.calls=10]
 */
@QuarkusTest
@Tag("benchmark")
class CampaignResultsBenchmarkTest {
    static final int MEMBERS = Integer.getInteger("results.members", 100_000);
    static final int OTHERS = Integer.getInteger("results.others", 100_000);
    static final int ORDERS = Integer.getInteger("results.orders", 4);
    static final int CALLS = Integer.getInteger("results.calls", 10);
    static final int CHUNK = 10_000;
    static final double HOLDOUT_SHARE = 0.1;
    static final List<String> VARIANTS = List.of("a", "b", "c");

    /** Enrolments as CampaignRepository.enrol writes them (no segments: nobody is in one). */
    static final String ENROL = """
            INSERT INTO campaign_member (campaign_id, member_id, store_id, arm, variant, enrolled_at, segments_at_enrolment)
            SELECT $1, m, $2, a, v, $3, '{}' FROM unnest($4::text[], $5::text[], $6::text[]) AS e(m, a, v)""";

    /**
     * The orders of members $3 to $4 - 1 of prefix $1 (member $1-m<i>), $7 each, each at a time within $6 seconds after
     * $5. Lines and refunds share this: o.h draws everything about an order, line.h about a line, from hashtext of $8
     * and the member's and order's numbers, not the run's prefix: runs on the same day store the same amounts at the
     * same times, so their totals compare.
     */
    static final String ORDERS_OF = """
            SELECT $1::text || '-m' || i AS member_id, $1::text || '-' || i || '-o' || k AS order_id,
                   CASE WHEN (i + k) % 5 = 0 THEN 'miniapp' ELSE 'pos' END AS source,
                   $8::text || ':' || i || ':' || k AS key,
                   $5::timestamptz + abs(hashtext($8::text || ':' || i || ':' || k)) % $6::bigint * interval '1 second' AS at,
                   abs(hashtext($8::text || ':' || i || ':' || k)) / 7 AS h
            FROM generate_series($3::int, $4::int - 1) i, generate_series(0, $7::int - 1) k""";

    static final String LINES = """
            INSERT INTO member_purchase (source, event_id, member_id, kind, order_id, campaign_id, occurred_at, amount,
                                         store_id, sku, category, quantity, coupon_id, margin_rate)
            SELECT o.source, o.order_id || '-' || l, o.member_id, 'order', o.order_id, NULL, o.at,
                   round((5 + line.h % 9500 / 100.0)::numeric, 2)::float8, $2, 'sku-' || line.h % 500,
                   (ARRAY['garden/tools', 'garden/seeds/tomato', 'garden/seeds', 'gardening/gloves', 'dairy/milk',
                          'dairy/yogurt/greek', 'bakery/bread', 'produce/fruit/apple', 'wine/red', 'household/cleaning',
                          'snacks/chips', NULL])[1 + line.h % 12],
                   1 + line.h % 3, NULL, CASE WHEN line.h / 16 % 10 < 3 THEN 0.15 + line.h / 16 % 31 / 100.0 END
            FROM (""" + ORDERS_OF + """
            ) o, generate_series(0, 1 + o.h % 2) l, LATERAL (SELECT abs(hashtext(o.key || ':' || l)) AS h) line""";

    static final String REFUNDS = """
            INSERT INTO member_purchase (source, event_id, member_id, kind, order_id, campaign_id, occurred_at, amount,
                                         store_id, sku, category, quantity, coupon_id, margin_rate)
            SELECT o.source, o.order_id || '-r', o.member_id, 'refund',
                   CASE WHEN o.h / 8 % 4 = 0 THEN o.order_id || '-before' ELSE o.order_id END, NULL,
                   o.at + (1 + o.h / 32 % 5) * interval '1 day', -(1 + o.h / 32 % 1000 / 100.0), $2, NULL,
                   CASE WHEN o.h / 64 % 2 = 0 THEN (ARRAY['garden/tools', 'dairy/milk', 'wine/red', 'garden/seeds'])[1 + o.h / 128 % 4] END,
                   NULL, NULL, CASE WHEN o.h / 512 % 10 = 0 THEN 0.3 END
            FROM (""" + ORDERS_OF + """
            ) o WHERE o.h % 8 = 0""";

    /**
     * Every 20th of members $3 to $4 - 1 redeemed a coupon of campaign $5 within the first 10 days of its window ($6),
     * on their first order (k = 0 in ORDERS_OF).
     */
    static final String COUPONS = """
            INSERT INTO member_purchase (source, event_id, member_id, kind, order_id, campaign_id, occurred_at, amount,
                                         store_id, coupon_id)
            SELECT 'crm', $1::text || '-' || i || '-c', $1::text || '-m' || i, 'coupon_redeemed',
                   $1::text || '-' || i || '-o0', $5,
                   $6::timestamptz + abs(hashtext($1::text || ':c:' || i)) % 864000 * interval '1 second', 0, $2,
                   $1::text || '-coupon-' || i
            FROM generate_series($3::int, $4::int - 1) i WHERE i % 20 = 0""";

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    @Inject
    Pool database;

    @Test
    void resultsOfALargeCampaign() throws Exception {
        String run = ChurnEvents.run();
        String store = "rb-" + run;
        Instant start = Instant.now().truncatedTo(ChronoUnit.DAYS).minus(Duration.ofDays(20));
        try (KafkaCompanion kafka = ChurnEvents.companion(bootstrapServers)) {
            Campaigns.knownStore(kafka, store, run);
        }
        String campaign = Campaigns.planned("""
                {"name": "results benchmark", "targetMinProbability": 0.5, "targetStoreId": "%s", "channel": "sms",
                 "costPerTouch": 0.2, "couponValue": 5, "startAt": "%s", "endAt": "%s", "holdoutShare": %s,
                 "variants": ["a", "b", "c"]}""".formatted(store, start, start.plus(Duration.ofDays(30)), HOLDOUT_SHARE));
        Campaigns.goLiveAt(campaign, start);

        long began = System.nanoTime();
        Map<String, Integer> treatedByVariant = new LinkedHashMap<>();
        VARIANTS.forEach(v -> treatedByVariant.put(v, 0));
        int holdout = 0;
        String prefix = "rb-" + run;
        for (int from = 0; from < MEMBERS; from += CHUNK) {
            int to = Math.min(MEMBERS, from + CHUNK);
            List<String> members = new ArrayList<>(), arms = new ArrayList<>(), variants = new ArrayList<>();
            for (int i = from; i < to; i++) {
                String member = prefix + "-m" + i;
                Assignment assignment = Assignment.of(campaign, member, HOLDOUT_SHARE, VARIANTS);
                members.add(member);
                arms.add(assignment.arm().name());
                variants.add(assignment.variant());
                if (assignment.arm() == Arm.HOLDOUT) {
                    holdout++;
                } else {
                    treatedByVariant.merge(assignment.variant(), 1, Integer::sum);
                }
            }
            execute(ENROL, Tuple.of(campaign, store, at(start), members.toArray(String[]::new), arms.toArray(String[]::new),
                    variants.toArray(String[]::new)));
            insertPurchases(prefix, store, from, to, start, campaign, true);
            System.out.printf("results benchmark: %,d of %,d enrolled members with their lines (%.1f s)%n", to, MEMBERS,
                    seconds(began));
        }
        for (int from = 0; from < OTHERS; from += CHUNK) {
            int to = Math.min(OTHERS, from + CHUNK);
            insertPurchases("rb-other-" + run, store, from, to, start, campaign, false);
            System.out.printf("results benchmark: %,d of %,d members not enrolled with their lines (%.1f s)%n", to, OTHERS,
                    seconds(began));
        }
        execute("ANALYZE member_purchase", Tuple.tuple());
        execute("ANALYZE campaign_member", Tuple.tuple());
        long lines = database.query("SELECT count(*) FROM member_purchase").execute().await().indefinitely()
                .iterator().next().getLong(0);
        System.out.printf("results benchmark: built in %.1f s: %,d enrolled (%,d held out), %,d others, %,d purchase lines"
                + " in the table, analysed%n", seconds(began), MEMBERS, holdout, OTHERS, lines);

        HttpClient http = HttpClient.newHttpClient();
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + RestAssured.port + "/campaigns/"
                + campaign + "/results")).header("Authorization", "Bearer " + AuthTestResource.analyst())
                .timeout(Duration.ofMinutes(5)).build();
        long started = System.nanoTime();
        HttpResponse<String> first = http.send(request, HttpResponse.BodyHandlers.ofString());
        long firstNanos = System.nanoTime() - started;
        long[] nanos = new long[CALLS];
        List<HttpResponse<String>> answers = new ArrayList<>(List.of(first));
        for (int i = 0; i < CALLS; i++) {
            started = System.nanoTime();
            answers.add(http.send(request, HttpResponse.BodyHandlers.ofString()));
            nanos[i] = System.nanoTime() - started;
        }
        Arrays.sort(nanos);
        JsonPath results = JsonPath.from(answers.get(answers.size() - 1).body())
                .using(new JsonPathConfig(JsonPathConfig.NumberReturnType.DOUBLE));
        System.out.printf("results benchmark: GET /campaigns/{id}/results of %,d members: first %.0f ms, then %d calls"
                        + " p50 %.0f ms, max %.0f ms%n", MEMBERS, firstNanos / 1e6, CALLS, CallListBenchmarkTest.ms(nanos, 0.5),
                nanos[CALLS - 1] / 1e6);
        System.out.printf("results benchmark: treated %.0f members, revenue/member %.9f, margin/member %.9f; holdout %.0f,"
                        + " %.9f, %.9f; margin uplift %.9f, cost %.2f, gain %.6f%n", results.getDouble("treated.members"),
                results.getDouble("treated.revenuePerMember"), results.getDouble("treated.marginPerMember"),
                results.getDouble("holdout.members"), results.getDouble("holdout.revenuePerMember"),
                results.getDouble("holdout.marginPerMember"), results.getDouble("marginPerMemberUplift.value"),
                results.getDouble("cost"), results.getDouble("incrementalGain"));
        System.out.printf("results benchmark: all %,d enrolled members: revenue %.6f, margin %.6f%n", MEMBERS,
                total(results, "revenuePerMember"), total(results, "marginPerMember"));
        printPlan(campaign, start);

        assertThat(answers).allSatisfy(answer -> assertThat(answer.statusCode()).isEqualTo(200));
        assertThat(results.getDouble("treated.members")).isEqualTo(MEMBERS - holdout);
        assertThat(results.getDouble("holdout.members")).isEqualTo(holdout);
        assertThat(results.getList("variants.variant", String.class)).containsExactlyElementsOf(VARIANTS);
        for (int v = 0; v < VARIANTS.size(); v++) {
            assertThat(results.getDouble("variants[" + v + "].treated.members"))
                    .isEqualTo(treatedByVariant.get(VARIANTS.get(v)).doubleValue());
        }
        // Each line counted once (a refund's order lines read beside it must not repeat it): the arms' revenue is the
        // sum of their members' orders and refunds in the window, every line stored before the GET.
        Row revenue = database.preparedQuery("""
                SELECT coalesce(sum(mp.amount) FILTER (WHERE cm.arm = 'TREATED'), 0),
                       coalesce(sum(mp.amount) FILTER (WHERE cm.arm = 'HOLDOUT'), 0)
                FROM campaign_member cm JOIN member_purchase mp ON mp.member_id = cm.member_id
                WHERE cm.campaign_id = $1 AND mp.kind IN ('order', 'refund') AND mp.occurred_at >= $2""")
                .execute(Tuple.of(campaign, at(start))).await().indefinitely().iterator().next();
        assertThat(results.getDouble("treated.revenuePerMember") * (MEMBERS - holdout))
                .isCloseTo(revenue.getDouble(0), within(Math.abs(revenue.getDouble(0)) * 1e-9));
        assertThat(results.getDouble("holdout.revenuePerMember") * holdout)
                .isCloseTo(revenue.getDouble(1), within(Math.abs(revenue.getDouble(1)) * 1e-9));
    }

    /**
     * The members' order lines over the 25 days up to 5 days before today (their refunds within 5 days of the order, so
     * every line is older than the first GET), refunds and, for enrolled members, coupon redemptions.
     */
    private void insertPurchases(String prefix, String store, int from, int to, Instant start, String campaign,
            boolean enrolled) {
        Instant earliest = start.minus(Duration.ofDays(10));
        long span = Duration.ofDays(25).toSeconds();
        Tuple orders = Tuple.from(Arrays.asList(prefix, store, from, to, at(earliest), span, ORDERS,
                enrolled ? "enrolled" : "other"));
        execute(LINES, orders);
        execute(REFUNDS, orders);
        if (enrolled) {
            execute(COUPONS, Tuple.from(Arrays.asList(prefix, store, from, to, campaign, at(start))));
        }
    }

    /** EXPLAIN ANALYZE of the review's statements over the campaign's window as of now, on the service's pool. */
    private void printPlan(String campaign, Instant start) {
        Tuple window = Tuple.of(campaign, at(start), at(Instant.now()));
        for (var statement : Map.of("WINDOWS", CampaignRepository.WINDOWS,
                "COUPONS_REDEEMED", CampaignRepository.COUPONS_REDEEMED).entrySet()) {
            StringBuilder plan = new StringBuilder();
            for (Row row : database.preparedQuery("EXPLAIN (ANALYZE, BUFFERS) " + statement.getValue()).execute(window)
                    .await().indefinitely()) {
                plan.append("  ").append(row.getString(0)).append('\n');
            }
            System.out.print("results benchmark: the plan of CampaignRepository." + statement.getKey() + ":\n" + plan);
        }
    }

    /** Treated and held-out members together: the same whatever the arms, for the same lines. */
    private static double total(JsonPath results, String perMember) {
        return results.getDouble("treated." + perMember) * results.getDouble("treated.members")
                + results.getDouble("holdout." + perMember) * results.getDouble("holdout.members");
    }

    private void execute(String sql, Tuple arguments) {
        database.preparedQuery(sql).execute(arguments).await().indefinitely();
    }

    private static OffsetDateTime at(Instant instant) {
        return instant.atOffset(ZoneOffset.UTC);
    }

    private static double seconds(long since) {
        return (System.nanoTime() - since) / 1e9;
    }
}
