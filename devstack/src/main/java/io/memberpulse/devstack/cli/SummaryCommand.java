package io.memberpulse.devstack.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * {@code summary}: waits until the pipeline has settled (nothing moves downstream for a while), then
 * prints members, events, segment sizes, the ten riskiest members and one store's call list,
 * each read from the service that owns it.
 */
final class SummaryCommand {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();

    private SummaryCommand() {
    }

    static int run(Path state) throws IOException, InterruptedException {
        Map<String, String> env = readEnv(state.resolve("stack.env"));
        String auth = LauncherTokens.bearer(state);
        String identity = env.get("IDENTITY_URL");
        String rfm = env.get("RFM_URL");
        String churn = env.get("CHURN_URL");
        String campaign = env.get("CAMPAIGN_URL");
        if (identity == null) {
            System.err.println("the stack is not up (no " + state.resolve("stack.env") + ")");
            return 1;
        }
        awaitSettled(auth, rfm, churn, campaign);

        JsonNode identityStats = get(auth, identity + "/stats");
        JsonNode rfmStats = get(auth, rfm + "/stats");
        JsonNode churnStats = get(auth, churn + "/stats");
        JsonNode campaignStats = get(auth, campaign + "/stats");
        System.out.println();
        System.out.println("memberpulse summary");
        System.out.printf("  members            %,d (identity-service; %,d identifiers)%n",
                identityStats.path("members").asLong(), identityStats.path("identifiers").asLong());
        System.out.printf("  events             %,d imported; %,d purchase lines in RFM; event-time clock %s%n",
                identityStats.path("events").asLong(), rfmStats.path("purchaseLines").asLong(), rfmStats.path("clock").asText());
        System.out.printf("  scored             %,d members (churn-service); %,d open call tasks in %,d stores%n",
                churnStats.path("scored").asLong(), campaignStats.path("openTasks").asLong(),
                campaignStats.path("stores").asLong());
        System.out.println("  segments");
        for (JsonNode segment : get(auth, rfm + "/segments")) {
            String rule = segment.path("rule").asText();
            System.out.printf("    %-20s %,8d%s%n", segment.path("id").asText(), segment.path("size").asLong(),
                    rule.isBlank() ? "" : "   (" + rule + ")");
        }
        System.out.println("  the ten riskiest members");
        System.out.printf("    %-38s %-10s %-22s %7s %10s %8s%n", "member", "member_no", "home store", "p(churn)",
                "90d value", "recency");
        Map<String, Integer> storeCounts = new HashMap<>();
        for (JsonNode score : get(auth, churn + "/scores/top?k=10")) {
            String memberId = score.path("memberId").asText();
            storeCounts.merge(score.path("homeStoreId").asText(), 1, Integer::sum);
            System.out.printf("    %-38s %-10s %-22s %7.2f %10.2f %7.0fd%n", memberId, memberNo(auth, identity, memberId),
                    score.path("homeStoreId").asText(), score.path("probability").asDouble(),
                    score.path("memberValue").asDouble(), score.path("recencyDays").asDouble());
        }
        String store = storeCounts.entrySet().stream().max(Map.Entry.comparingByValue()).map(Map.Entry::getKey)
                .orElse(null);
        if (store != null) {
            JsonNode callList = get(auth, campaign + "/stores/" + URLEncoder.encode(store, StandardCharsets.UTF_8) + "/call-list");
            System.out.printf("  call list of store %s (%d calls today)%n", store, callList.path("tasks").size());
            System.out.printf("    %-38s %-10s %8s %13s  %s%n", "member", "member_no", "p(churn)", "value at risk", "due (UTC)");
            for (JsonNode task : callList.path("tasks")) {
                String memberId = task.path("memberId").asText();
                System.out.printf("    %-38s %-10s %8.2f %13.2f  %s%s%n", memberId, memberNo(auth, identity, memberId),
                        task.path("churnProbability").asDouble(), task.path("valueAtRisk").asDouble(),
                        toMinute(task.path("dueAt").asText()), task.path("overdue").asBoolean() ? "  OVERDUE" : "");
            }
        }
        return 0;
    }

    /** The same wait for the stack whose state folder this is (nothing when it is not up). */
    static void awaitSettled(Path state) throws IOException, InterruptedException {
        Map<String, String> env = readEnv(state.resolve("stack.env"));
        if (env.get("RFM_URL") != null) {
            awaitSettled(LauncherTokens.bearer(state), env.get("RFM_URL"), env.get("CHURN_URL"), env.get("CAMPAIGN_URL"));
        }
    }

    /** Polls the downstream totals until two consecutive readings 3 s apart agree. */
    private static void awaitSettled(String auth, String rfm, String churn, String campaign) throws IOException, InterruptedException {
        String previous = null;
        long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
        System.err.print("waiting for rfm, churn and campaign to catch up");
        while (System.nanoTime() < deadline) {
            JsonNode rfmStats = get(auth, rfm + "/stats");
            JsonNode churnStats = get(auth, churn + "/stats");
            String reading = rfmStats.toString() + churnStats + get(auth, campaign + "/stats");
            // Settled: nothing moved for one interval, and churn has seen as far in event time as rfm.
            boolean sameClock = rfmStats.path("clock").asText().equals(churnStats.path("clock").asText());
            if (sameClock && Objects.equals(reading, previous)) {
                System.err.println(" settled");
                return;
            }
            previous = reading;
            System.err.print(".");
            Thread.sleep(3_000);
        }
        System.err.println(" still moving after 10 minutes; summarising what is there");
    }

    private static final DateTimeFormatter MINUTE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm");

    /** "2026-12-07T23:20:49.044028Z" as "2026-12-07 23:20": a call is planned to the minute, not the microsecond. */
    static String toMinute(String instant) {
        try {
            return MINUTE.format(Instant.parse(instant).atOffset(ZoneOffset.UTC));
        } catch (DateTimeParseException e) {
            return instant;
        }
    }

    private static String memberNo(String auth, String identity, String memberId) {
        try {
            for (JsonNode identifier : get(auth, identity + "/members/" + memberId).path("identifiers")) {
                if ("MEMBER_NO".equals(identifier.path("type").asText())) {
                    return identifier.path("value").asText();
                }
            }
        } catch (IOException | InterruptedException e) {
            return "?";
        }
        return "";
    }

    /** @param auth the Authorization header value */
    static JsonNode get(String auth, String url) throws IOException, InterruptedException {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .header("Authorization", auth).GET().build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException(url + " answered " + response.statusCode() + ": " + response.body());
        }
        return JSON.readTree(response.body());
    }

    static Map<String, String> readEnv(Path file) throws IOException {
        Map<String, String> env = new HashMap<>();
        if (Files.isRegularFile(file)) {
            for (String line : Files.readAllLines(file)) {
                int eq = line.indexOf('=');
                if (eq > 0) {
                    env.put(line.substring(0, eq), line.substring(eq + 1));
                }
            }
        }
        return env;
    }
}
