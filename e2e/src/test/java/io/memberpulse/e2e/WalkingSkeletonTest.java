package io.memberpulse.e2e;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.containsStringIgnoringCase;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.not;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.reflection.v1.ServiceResponse;
import io.grpc.stub.StreamObserver;
import io.memberpulse.devstack.auth.DevTokens;
import io.memberpulse.devstack.cli.ErasureCommand;
import io.memberpulse.devstack.cli.StackEnv;
import io.memberpulse.devstack.infra.InfraSettings;
import io.memberpulse.devstack.stack.Infrastructure;
import io.memberpulse.devstack.stack.LocalStack;
import io.memberpulse.devstack.stack.ServiceSpec;
import io.memberpulse.proto.auth.BearerTokenCallCredentials;
import io.memberpulse.proto.campaign.v1.CallList;
import io.memberpulse.proto.campaign.v1.CampaignServiceGrpc;
import io.memberpulse.proto.campaign.v1.GetCallListRequest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The walking skeleton, every hop real: orders imported into identity-service as CSV are resolved to
 * members, published on member.events, turned into RFM by rfm-service and into churn scores by
 * churn-service, and the riskiest member lands on the store's call list in campaign-service, over
 * REST and gRPC; the call's outcome recorded by the store's staff reaches churn-service on intervention.outcomes. The four packaged services run as separate JVMs on real PostgreSQL, Redis and Kafka,
 * in databases and key prefixes of this run's own.
 */
class WalkingSkeletonTest {
    static final Instant CLOCK = Instant.parse("2024-06-30T10:00:00Z");
    static Infrastructure infrastructure;
    static LocalStack stack;
    /** This run's databases' suffix and Redis key prefix. */
    static String isolation;
    /**
     * The stack's state folder as the launcher's commands read it: its signing key (auth/) and stack.env, as 'up'
     * writes them, so that a command runs here as ./memberpulse runs it against a stack it started.
     */
    @TempDir
    static Path launcherState;

    @BeforeAll
    static void startTheStack() throws IOException {
        Path root = Path.of(System.getProperty("memberpulse.root", ".."));
        isolation = "e2e_" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
        infrastructure = Infrastructure.start(InfraSettings.fromEnvironment(), isolation);
        stack = LocalStack.start(root.toAbsolutePath(), infrastructure, LocalStack.freePorts(),
                root.resolve("e2e/target/stack-logs"), LocalStack.heaps("256m", "512m"), Duration.ofMinutes(3),
                DevTokens.loadOrCreate(launcherState.resolve("auth")));
        StackEnv.write(launcherState, infrastructure, stack);
        analyst = "Bearer " + stack.tokens().analyst();
    }

    /** An analyst's Authorization header: what head office's tools send. */
    static String analyst;

    @AfterAll
    static void stopTheStack() {
        if (stack != null) {
            stack.close();
        }
        if (infrastructure != null) {
            infrastructure.close();
        }
    }

    /** Weekly orders of one member up to {@code last}, as CSV rows. */
    static String weeklyOrders(String prefix, String identifierColumns, int count, Instant last, String store) {
        StringBuilder rows = new StringBuilder();
        for (int i = 0; i < count; i++) {
            Instant at = last.minus(Duration.ofDays(7L * (count - 1 - i)));
            rows.append("%s-%d,pos,order,%s,%s,%s,%s-o%d,1,30.00%n".formatted(prefix, i, at, store, identifierColumns, prefix, i));
        }
        return rows.toString();
    }

    @Test
    void anImportedOrderFlowsThroughAllFourServicesToTheStoreCallList() {
        String run = UUID.randomUUID().toString().substring(0, 8);
        String store = "store-" + run;
        String loyalNo = "L-" + run;
        String lapsedPhone = "139" + String.format("%08d", Math.abs(run.hashCode()) % 100_000_000);
        String csv = "event_id,source,type,occurred_at,store_id,member_no,phone,order_id,quantity,paid_amount\n"
                + weeklyOrders("loyal-" + run, loyalNo + ",", 8, CLOCK.minus(Duration.ofDays(1)), store)
                + weeklyOrders("lapsed-" + run, "," + lapsedPhone, 8, CLOCK.minus(Duration.ofDays(60)), store)
                + "bad-" + run + ",pos,order,30/06/2024,%s,%s,,bad-o,1,5.00%n".formatted(store, loyalNo)
                + "clock-" + run + ",pos,visit,%s,%s,%s,,,,%n".formatted(CLOCK, store, loyalNo);
        String identity = stack.httpUrl(ServiceSpec.IDENTITY);
        given().contentType("text/csv").body(csv).post(identity + "/events/csv").then().statusCode(401);
        given().header("Authorization", analyst).contentType("text/csv").body(csv).post(identity + "/events/csv")
                .then().statusCode(200)
                .body("accepted", equalTo(17)).body("rejected", equalTo(1))
                .body("rejections[0].line", equalTo(18)).body("rejections[0].field", equalTo("occurred_at"));
        // Importing the same file again changes nothing.
        given().header("Authorization", analyst).contentType("text/csv").body(csv).post(identity + "/events/csv")
                .then().statusCode(200).body("accepted", equalTo(0)).body("duplicates", equalTo(17));

        String lapsed = given().header("Authorization", analyst).contentType("application/json")
                .body(Map.of("phone", "+86 " + lapsedPhone)).post(identity + "/members/resolve")
                .then().statusCode(200).extract().path("memberId");
        String loyal = given().header("Authorization", analyst).contentType("application/json")
                .body(Map.of("member_no", loyalNo)).post(identity + "/members/resolve")
                .then().statusCode(200).extract().path("memberId");

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().header("Authorization", analyst)
                .get(stack.httpUrl(ServiceSpec.RFM) + "/members/" + lapsed + "/rfm")
                .then().statusCode(200).body("rfm.ordersTotal", equalTo(8)).body("rfm.homeStoreId", equalTo(store)));
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().header("Authorization", analyst)
                .get(stack.httpUrl(ServiceSpec.CHURN) + "/stores/" + store + "/top-risk?k=5")
                .then().statusCode(200).body("memberId", hasItems(lapsed, loyal)).body("[0].memberId", equalTo(lapsed)));
        String staff = stack.tokens().staff(store);
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().header("Authorization", "Bearer " + staff)
                .get(stack.httpUrl(ServiceSpec.CAMPAIGN) + "/stores/" + store + "/call-list")
                .then().statusCode(200).body("tasks.size()", greaterThan(0)).body("tasks[0].memberId", equalTo(lapsed)));

        // the gRPC servers run apart from HTTP here, as in production: the same tokens, the same rules
        ManagedChannel channel = channel(ServiceSpec.CAMPAIGN);
        try {
            GetCallListRequest request = GetCallListRequest.newBuilder().setStoreId(store).build();
            CallList callList = CampaignServiceGrpc.newBlockingStub(channel)
                    .withCallCredentials(new BearerTokenCallCredentials(staff)).getCallList(request);
            assertThat(callList.getTasksList()).extracting(t -> t.getMemberId()).first().isEqualTo(lapsed);
            assertThat(callList.getTasks(0).getStoreId()).isEqualTo(store);
            assertThatThrownBy(() -> CampaignServiceGrpc.newBlockingStub(channel)
                    .withCallCredentials(new BearerTokenCallCredentials(stack.tokens().staff("another-" + store)))
                    .getCallList(request))
                    .isInstanceOfSatisfying(StatusRuntimeException.class,
                            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND));
            assertThatThrownBy(() -> CampaignServiceGrpc.newBlockingStub(channel).getCallList(request))
                    .isInstanceOfSatisfying(StatusRuntimeException.class,
                            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED));
        } finally {
            channel.shutdownNow();
        }

        // the store manager calls the lapsed member: the task leaves the list and the outcome reaches churn-service,
        // whose next training run learns from it (the loop data -> touch -> feedback)
        double outcomesBefore = outcomesRecordedByChurn();
        var list = given().header("Authorization", "Bearer " + staff)
                .get(stack.httpUrl(ServiceSpec.CAMPAIGN) + "/stores/" + store + "/call-list").then().statusCode(200)
                .extract().jsonPath();
        assertThat(list.getString("tasks[0].memberId")).isEqualTo(lapsed);
        String taskId = list.getString("tasks[0].taskId");
        given().header("Authorization", "Bearer " + staff).contentType("application/json")
                .body("{\"reached\": true, \"result\": \"will_return\", \"version\": " + list.getLong("tasks[0].version") + "}")
                .post(stack.httpUrl(ServiceSpec.CAMPAIGN) + "/tasks/" + taskId + "/outcome").then().statusCode(200);
        given().header("Authorization", "Bearer " + staff)
                .get(stack.httpUrl(ServiceSpec.CAMPAIGN) + "/stores/" + store + "/call-list").then().statusCode(200)
                .body("tasks.taskId", not(hasItem(taskId)));
        await().atMost(Duration.ofSeconds(60))
                .untilAsserted(() -> assertThat(outcomesRecordedByChurn()).isEqualTo(outcomesBefore + 1));
    }

    /** Intervention outcomes churn-service has recorded since it started (its Prometheus counter). */
    static double outcomesRecordedByChurn() {
        String metrics = given().get(stack.httpUrl(ServiceSpec.CHURN) + "/q/metrics").then().statusCode(200)
                .extract().asString();
        return metrics.lines().filter(line -> line.startsWith("memberpulse_churn_intervention_outcomes_recorded_total"))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).sum();
    }

    /**
     * A till's copy of a delivery order, imported one line per request: its first line matched two delivery orders
     * and was counted; the second tells which order it copies, and identity-service takes the first back. rfm-service
     * ends counting each order once.
     */
    @Test
    void aTillCopyCountedBeforeItsRestCameIsTakenBackDownstream() {
        String run = UUID.randomUUID().toString().substring(0, 8);
        String store = "store-" + run;
        String header = "event_id,source,type,occurred_at,store_id,member_no,order_id,sku,quantity,paid_amount\n";
        String identity = stack.httpUrl(ServiceSpec.IDENTITY);
        String deliveries = header + """
                dc1-%1$s,delivery,order,2024-06-20T11:23:10Z,%2$s,D-%1$s,MC-%1$s,6901,1,100.11
                dc2-%1$s,delivery,order,2024-06-20T11:23:10Z,%2$s,D-%1$s,MC-%1$s,6902,6,137.40
                de1-%1$s,delivery,order,2024-06-20T11:25:00Z,%2$s,D-%1$s,ME-%1$s,6901,1,100.11
                de2-%1$s,delivery,order,2024-06-20T11:25:00Z,%2$s,D-%1$s,ME-%1$s,6905,1,9.90
                """.formatted(run, store);
        given().header("Authorization", analyst).contentType("text/csv").body(deliveries).post(identity + "/events/csv")
                .then().statusCode(200).body("accepted", equalTo(4));
        given().header("Authorization", analyst).contentType("text/csv")
                .body(header + "tc1-%1$s,pos,order,2024-06-20T11:30:28Z,%2$s,D-%1$s,SC-%1$s,6901,1,100.11\n".formatted(run, store))
                .post(identity + "/events/csv").then().statusCode(200).body("accepted", equalTo(1));
        String member = given().header("Authorization", analyst).contentType("application/json")
                .body(Map.of("member_no", "D-" + run)).post(identity + "/members/resolve").then().statusCode(200).extract().path("memberId");
        String rfm = stack.httpUrl(ServiceSpec.RFM) + "/members/" + member + "/rfm";
        // the till's first line could copy either delivery order: counted, as a third order
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().header("Authorization", analyst).get(rfm)
                .then().statusCode(200).body("rfm.ordersTotal", equalTo(3)));

        given().header("Authorization", analyst).contentType("text/csv")
                .body(header + "tc2-%1$s,pos,order,2024-06-20T11:30:28Z,%2$s,D-%1$s,SC-%1$s,6902,6,137.40\n".formatted(run, store))
                .post(identity + "/events/csv").then().statusCode(200).body("accepted", equalTo(1));
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            var body = given().header("Authorization", analyst).get(rfm).then().statusCode(200).extract().jsonPath();
            assertThat(body.getInt("rfm.ordersTotal")).isEqualTo(2);
            assertThat(body.getDouble("rfm.monetaryNetTotal")).isCloseTo(237.51 + 110.01, within(0.001));
        });
    }

    /** What a launcher command exited with and printed. */
    record Launched(int exit, String out, String err) {
    }

    /** ./memberpulse erase|erasure ARGS against this stack: the command's class, with the stack's state folder. */
    static Launched erasureCommand(String... args) throws Exception {
        String[] withState = Arrays.copyOf(args, args.length + 2);
        withState[args.length] = "--state";
        withState[args.length + 1] = launcherState.toString();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = ErasureCommand.run(withState, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Launched(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /**
     * A member's erasure (PIPL Art. 47, GDPR Art. 17) asked of identity-service with the launcher's
     * {@code ./memberpulse erase} reaches every service: afterwards no
     * service answers for the member, the store's call list drops it, and no database or Redis key of the stack holds
     * its phone, name, address or review text, nor (outside identity's own record of the erasure and each service's
     * list of erased ids) its member id. Each scan is first seen to find them, so it is known to look where they are.
     */
    @Test
    void anErasedMemberIsGoneFromEveryServiceAndStore() throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        String store = "store-erase-" + run;
        String phoneDigits = String.format("%08d", Math.abs(run.hashCode()) % 100_000_000);
        String phone = "137" + phoneDigits;
        String name = "Erasure Tester " + run;
        String address = "88 Forgetting Road " + run;
        String review = "the yoghurt was sour again " + run;
        String header = "event_id,source,type,occurred_at,store_id,member_no,phone,name,address,order_id,quantity,"
                + "paid_amount,rating,review_text\n";
        StringBuilder rows = new StringBuilder(header);
        for (int i = 0; i < 8; i++) {
            rows.append("er-%s-%d,pos,order,%s,%s,,%s,%s,%s,er-%s-o%d,1,30.00,,%n".formatted(run, i,
                    CLOCK.minus(Duration.ofDays(60 + 7L * (7 - i))), store, phone, name, address, run, i));
            rows.append("stay-%s-%d,pos,order,%s,%s,S-%s,,,,stay-%s-o%d,1,30.00,,%n".formatted(run, i,
                    CLOCK.minus(Duration.ofDays(1 + 7L * (7 - i))), store, run, run, i));
        }
        rows.append("er-%s-review,pos,review,%s,%s,,%s,,,er-%s-o7,,,1,%s%n".formatted(run, CLOCK.minus(Duration.ofDays(59)),
                store, phone, run, review));
        String identity = stack.httpUrl(ServiceSpec.IDENTITY);
        given().header("Authorization", analyst).contentType("text/csv").body(rows.toString())
                .post(identity + "/events/csv").then().statusCode(200).body("accepted", equalTo(17));
        String member = given().header("Authorization", analyst).contentType("application/json")
                .body(Map.of("phone", phone)).post(identity + "/members/resolve")
                .then().statusCode(200).extract().path("memberId");
        String staff = "Bearer " + stack.tokens().staff(store);
        String callList = stack.httpUrl(ServiceSpec.CAMPAIGN) + "/stores/" + store + "/call-list";
        await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> given().header("Authorization", staff).get(callList)
                .then().statusCode(200).body("tasks.memberId", hasItem(member)));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().header("Authorization", analyst)
                .get(stack.httpUrl(ServiceSpec.RFM) + "/members/" + member + "/rfm").then().statusCode(200));
        List<String> personal = List.of(phoneDigits, name, address, review);
        assertThat(rowsMentioning(ServiceSpec.IDENTITY, personal)).as("identity holds the member's data").isNotEmpty();
        for (ServiceSpec downstream : List.of(ServiceSpec.RFM, ServiceSpec.CHURN, ServiceSpec.CAMPAIGN)) {
            assertThat(rowsMentioning(downstream, List.of(member))).as(downstream + " holds the member").isNotEmpty();
        }
        assertThat(infrastructure.redis().keysMentioning(isolation + ":", member)).isNotEmpty();

        given().header("Authorization", analyst).contentType("application/json")
                .body(Map.of("reference", "DSR-" + run)).post(identity + "/members/" + member + "/erasure")
                .then().statusCode(403);
        // identity-service's refusals, each with its reason and exit 1; the usage (exit 2) for what it never saw
        Launched unknown = erasureCommand("erase", "nobody-" + run, "--reference", "DSR-" + run);
        assertThat(unknown.exit()).as(unknown.err()).isEqualTo(1);
        assertThat(unknown.err()).startsWith("identity-service answered 404: no member nobody-" + run);
        Launched tooLong = erasureCommand("erase", member, "--reference", "x".repeat(201));
        assertThat(tooLong.exit()).as(tooLong.err()).isEqualTo(1);
        assertThat(tooLong.err()).startsWith("identity-service answered 400: reference");
        Launched noReference = erasureCommand("erase", member);
        assertThat(noReference.exit()).isEqualTo(2);
        assertThat(noReference.err()).contains("missing --reference", ErasureCommand.USAGE);
        given().header("Authorization", analyst).get(identity + "/members/" + member).then().statusCode(200);

        // the launcher signs a steward's token with the stack's key and prints the erasure
        Launched erased = erasureCommand("erase", member, "--reference", "DSR-" + run);
        assertThat(erased.exit()).as(erased.err()).isZero();
        assertThat(erased.out()).contains("  member            " + member + "\n", "  absorbed members  ",
                "  reference         DSR-" + run + "\n", "  requested by      steward@memberpulse.local\n",
                "  erased at         ").doesNotContain("erased before");
        Matcher first = Pattern.compile("^erasure (\\S+)\n").matcher(erased.out());
        assertThat(first.find()).as(erased.out()).isTrue();
        String erasureId = first.group(1);
        Launched again = erasureCommand("erase", member, "--reference", "DSR-again-" + run);
        assertThat(again.exit()).as(again.err()).isZero();
        assertThat(again.out()).startsWith("erasure " + erasureId + "\n").contains("  reference         DSR-" + run + "\n",
                "erased before");
        Launched shown = erasureCommand("erasure", erasureId);
        assertThat(shown.exit()).as(shown.err()).isZero();
        assertThat(shown.out()).startsWith("erasure " + erasureId + "\n").contains("  member            " + member + "\n");
        Launched noSuch = erasureCommand("erasure", UUID.randomUUID().toString());
        assertThat(noSuch.exit()).isEqualTo(1);
        assertThat(noSuch.err()).startsWith("identity-service answered 404: no erasure ");

        given().header("Authorization", analyst).contentType("application/json").body(Map.of("phone", phone))
                .post(identity + "/members/resolve").then().statusCode(404);
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            given().header("Authorization", staff).get(callList).then().statusCode(200)
                    .body("tasks.memberId", not(hasItem(member)));
            given().header("Authorization", analyst).get(stack.httpUrl(ServiceSpec.RFM) + "/members/" + member + "/rfm")
                    .then().statusCode(404);
            given().header("Authorization", analyst).get(stack.httpUrl(ServiceSpec.CHURN) + "/members/" + member + "/score")
                    .then().statusCode(404);
            for (ServiceSpec spec : ServiceSpec.values()) {
                assertThat(rowsMentioning(spec, personal)).as(spec + " rows with the member's personal data").isEmpty();
            }
            for (ServiceSpec downstream : List.of(ServiceSpec.RFM, ServiceSpec.CHURN, ServiceSpec.CAMPAIGN)) {
                assertThat(rowsMentioning(downstream, List.of(member))).as(downstream + " rows naming the member")
                        .allMatch(table -> table.equals("erased_member"));
            }
            assertThat(infrastructure.redis().keysMentioning(isolation + ":", member)).isEmpty();
            assertThat(infrastructure.redis().keysMentioning(isolation + ":", phoneDigits)).isEmpty();
        });
        // the member who stays is untouched
        given().header("Authorization", analyst).contentType("application/json").body(Map.of("member_no", "S-" + run))
                .post(identity + "/members/resolve").then().statusCode(200);
    }

    /**
     * The tables of a service's database (schema public) with a row whose text contains any of the strings; byte
     * columns (identity's stored payloads) are searched for the strings' UTF-8 bytes.
     */
    static List<String> rowsMentioning(ServiceSpec spec, List<String> strings) throws SQLException {
        List<String> tables = new ArrayList<>();
        try (Connection connection = infrastructure.postgres().connect(infrastructure.databaseOf(spec))) {
            Map<String, List<String>> byteColumns = new TreeMap<>();
            try (var statement = connection.createStatement(); var result = statement.executeQuery(
                    "SELECT t.table_name, c.column_name FROM information_schema.tables t"
                            + " LEFT JOIN information_schema.columns c ON c.table_schema = t.table_schema"
                            + " AND c.table_name = t.table_name AND c.data_type = 'bytea'"
                            + " WHERE t.table_schema = 'public' AND t.table_type = 'BASE TABLE'"
                            + " AND t.table_name <> 'flyway_schema_history'")) {
                while (result.next()) {
                    List<String> columns = byteColumns.computeIfAbsent(result.getString(1), table -> new ArrayList<>());
                    if (result.getString(2) != null) {
                        columns.add(result.getString(2));
                    }
                }
            }
            for (var table : byteColumns.entrySet()) {
                List<String> conditions = new ArrayList<>();
                List<String> parameters = new ArrayList<>();
                for (String text : strings) {
                    conditions.add("strpos(t::text, ?) > 0");
                    parameters.add(text);
                    for (String column : table.getValue()) {
                        conditions.add("position(convert_to(?, 'UTF8') in t.\"" + column + "\") > 0");
                        parameters.add(text);
                    }
                }
                try (PreparedStatement query = connection.prepareStatement("SELECT 1 FROM \"" + table.getKey()
                        + "\" t WHERE " + String.join(" OR ", conditions) + " LIMIT 1")) {
                    for (int i = 0; i < parameters.size(); i++) {
                        query.setString(i + 1, parameters.get(i));
                    }
                    try (ResultSet result = query.executeQuery()) {
                        if (result.next()) {
                            tables.add(table.getKey());
                        }
                    }
                }
            }
        }
        return tables;
    }

    /** Without a token every service refuses its API (401) and still answers its probes, metrics and OpenAPI. */
    @Test
    void everyServiceRefusesCallersWithoutAToken() {
        Map<ServiceSpec, String> guarded = Map.of(
                ServiceSpec.IDENTITY, "/stats",
                ServiceSpec.RFM, "/stats",
                ServiceSpec.CHURN, "/stats",
                ServiceSpec.CAMPAIGN, "/stats");
        for (var endpoint : guarded.entrySet()) {
            String url = stack.httpUrl(endpoint.getKey()) + endpoint.getValue();
            given().get(url).then().statusCode(401);
            given().header("Authorization", "Bearer " + stack.tokens().staff("s1")).get(url).then().statusCode(403);
            given().header("Authorization", analyst).get(url).then().statusCode(200);
            // a token signed by another key
            given().header("Authorization", "Bearer " + DevTokens.generate().analyst()).get(url).then().statusCode(401);
        }
    }

    @Test
    void everyServiceListsItsGrpcServiceThroughReflection() throws Exception {
        Map<ServiceSpec, String> expected = Map.of(
                ServiceSpec.IDENTITY, "memberpulse.identity.v1.IdentityService",
                ServiceSpec.RFM, "memberpulse.segments.v1.SegmentService",
                ServiceSpec.CHURN, "memberpulse.churn.v1.ChurnService",
                ServiceSpec.CAMPAIGN, "memberpulse.campaign.v1.CampaignService");
        for (var service : expected.entrySet()) {
            ManagedChannel channel = channel(service.getKey());
            try {
                assertThat(listServices(channel)).contains(service.getValue(), "grpc.health.v1.Health");
            } finally {
                channel.shutdownNow();
            }
        }
    }

    @Test
    void everyServiceIsReadyOnRealInfrastructureAndServesMetricsAndOpenApi() {
        for (ServiceSpec spec : ServiceSpec.values()) {
            String url = stack.httpUrl(spec);
            // readiness is what a pod needs to answer (PostgreSQL); Redis and Kafka are reported apart, so an outage
            // of either does not take every pod out of its Service (proto.health.DependencyChecks)
            given().get(url + "/q/health/ready").then().statusCode(200).body("status", equalTo("UP"))
                    .body("checks.name", hasItem("Reactive PostgreSQL connections health check"))
                    .body("checks.name", everyItem(not(containsStringIgnoringCase("redis"))))
                    .body("checks.name", everyItem(not(containsStringIgnoringCase("kafka"))));
            // identity-service does not use Redis
            String[] dependencies = spec == ServiceSpec.IDENTITY ? new String[] {"kafka"} : new String[] {"redis", "kafka"};
            given().get(url + "/q/health/group/dependencies").then().statusCode(200).body("status", equalTo("UP"))
                    .body("checks.name", containsInAnyOrder(dependencies));
            String metrics = given().get(url + "/q/metrics").then().statusCode(200).extract().asString();
            assertThat(metrics).contains("jvm_memory_used_bytes");
            given().get(url + "/q/openapi?format=json").then().statusCode(200)
                    .body("info.title", equalTo("memberpulse " + spec.moduleName()));
        }
    }

    static ManagedChannel channel(ServiceSpec spec) {
        return ManagedChannelBuilder.forAddress("127.0.0.1", stack.grpcPort(spec)).usePlaintext().build();
    }

    static List<String> listServices(ManagedChannel channel) throws Exception {
        CompletableFuture<List<String>> names = new CompletableFuture<>();
        StreamObserver<ServerReflectionRequest> requests = ServerReflectionGrpc.newStub(channel)
                .serverReflectionInfo(new StreamObserver<>() {
                    @Override
                    public void onNext(ServerReflectionResponse response) {
                        names.complete(response.getListServicesResponse().getServiceList().stream()
                                .map(ServiceResponse::getName).toList());
                    }

                    @Override
                    public void onError(Throwable t) {
                        names.completeExceptionally(t);
                    }

                    @Override
                    public void onCompleted() {
                    }
                });
        requests.onNext(ServerReflectionRequest.newBuilder().setListServices("*").build());
        List<String> result = names.get(10, TimeUnit.SECONDS);
        requests.onCompleted();
        return result;
    }
}
