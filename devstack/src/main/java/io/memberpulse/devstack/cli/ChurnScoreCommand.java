package io.memberpulse.devstack.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;

/**
 * {@code churn-score --state DIR --as-of DATE --horizon DAYS --out FILE}: asks churn-service (CHURN_URL
 * from the stack's stack.env) to train on the facts before DATE and score every member who bought
 * before it. That runs as a job: this follows it, printing each stage and how far it is, then streams
 * the CSV to FILE (written beside it first, so a failure leaves no half file) and prints how many
 * members were scored and how long it took. A refusal or a failed job exits non-zero with its reason.
 */
final class ChurnScoreCommand {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration POLL_EVERY = Duration.ofMillis(500);
    private static final Duration QUIET_AT_MOST = Duration.ofSeconds(10);
    private static final int MAX_UNANSWERED = 5;

    private ChurnScoreCommand() {
    }

    static int run(Path state, String asOf, String horizon, Path out) throws IOException, InterruptedException {
        String churn = SummaryCommand.readEnv(state.resolve("stack.env")).get("CHURN_URL");
        if (churn == null) {
            System.err.println("the stack is not up (no CHURN_URL in " + state.resolve("stack.env") + ")");
            return 1;
        }
        URI endpoint = URI.create(churn + "/models/batch-scores?asOf=" + URLEncoder.encode(asOf, StandardCharsets.UTF_8)
                + "&horizon=" + URLEncoder.encode(horizon, StandardCharsets.UTF_8));
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        String auth = LauncherTokens.bearer(state);
        System.out.printf("training on the facts before %s and scoring (horizon %s days)...%n", asOf, horizon);
        long started = System.nanoTime();
        HttpResponse<String> accepted;
        try {
            accepted = http.send(HttpRequest.newBuilder(endpoint).timeout(Duration.ofMinutes(1)).header("Authorization", auth)
                    .header("Accept", "application/json").POST(HttpRequest.BodyPublishers.noBody()).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (java.net.ConnectException e) {
            System.err.println("churn-service does not answer at " + churn + " (is the stack up?)");
            return 1;
        }
        if (accepted.statusCode() != 202) {
            System.err.println("churn-service refused (" + accepted.statusCode() + "): " + reason(accepted.body()));
            return 1;
        }
        URI job = URI.create(churn + "/jobs/" + JSON.readTree(accepted.body()).get("id").asText());
        JsonNode end;
        try {
            end = follow(http, job, auth, started);
        } catch (IOException e) {
            System.err.println("churn score stopped: " + e.getMessage());
            return 1;
        }
        if (!"succeeded".equals(end.path("state").asText())) {
            System.err.println("churn score failed (" + end.path("problem").path("status").asText("?") + "): "
                    + end.path("problem").path("detail").asText("(no reason given)"));
            return 1;
        }
        HttpResponse<InputStream> response = http.send(HttpRequest.newBuilder(URI.create(churn + end.get("scores")
                .asText())).timeout(Duration.ofMinutes(10)).header("Authorization", auth).header("Accept", "text/csv, application/problem+json")
                .GET().build(), HttpResponse.BodyHandlers.ofInputStream());
        if (response.statusCode() != 200) {
            String body;
            try (InputStream in = response.body()) {
                body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            System.err.println("churn-service refused the scores (" + response.statusCode() + "): " + reason(body));
            return 1;
        }
        Path target = out.toAbsolutePath();
        Path partial = target.resolveSibling(target.getFileName() + ".partial");
        long lines;
        try (InputStream in = response.body(); OutputStream file = Files.newOutputStream(partial)) {
            lines = copyCountingLines(in, file);
        } catch (IOException e) {
            Files.deleteIfExists(partial);
            System.err.println("churn score stopped: " + e.getMessage());
            return 1;
        }
        Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING);
        double seconds = (System.nanoTime() - started) / 1e9;
        String model = end.path("result").hasNonNull("model") ? ", model " + end.path("result").get("model").asText() : "";
        System.out.printf("scored %,d members as of %s (horizon %s days%s) in %.1f s -> %s%n", Math.max(0, lines - 1),
                asOf, horizon, model, seconds, out);
        if (end.path("result").hasNonNull("basis")) {
            System.out.println("  model: " + end.path("result").get("basis").asText());
        }
        return 0;
    }

    /**
     * Polls the job until it has succeeded or failed, showing its stage and done of total on stderr: redrawn
     * in place on a terminal, otherwise a line at each stage and every 10 s (CI logs).
     */
    private static JsonNode follow(HttpClient http, URI job, String auth, long started) throws IOException, InterruptedException {
        boolean terminal = System.console() != null;
        String shownStage = null;
        long shownAt = 0;
        int unanswered = 0;
        while (true) {
            HttpResponse<String> response;
            try {
                response = http.send(HttpRequest.newBuilder(job).timeout(Duration.ofSeconds(30)).header("Authorization", auth)
                        .header("Accept", "application/json").GET().build(), HttpResponse.BodyHandlers.ofString());
                unanswered = 0;
            } catch (IOException e) {
                // a busy or restarting service: the job goes on without us, so ask again a few times
                if (++unanswered > MAX_UNANSWERED) {
                    throw new IOException("churn-service has not answered about " + job + " " + unanswered
                            + " times (" + e + "); the job may still be running: GET it to see", e);
                }
                System.err.println("  churn-service did not answer (" + e.getClass().getSimpleName() + "), asking again");
                Thread.sleep(POLL_EVERY.toMillis());
                continue;
            }
            if (response.statusCode() != 200) {
                throw new IOException("churn-service answered " + response.statusCode() + " for " + job + ": "
                        + reason(response.body()));
            }
            JsonNode state = JSON.readTree(response.body());
            JsonNode progress = state.path("progress");
            if (progress.hasNonNull("stage")) {
                String line = progressLine(progress, (System.nanoTime() - started) / 1e9);
                if (terminal) {
                    System.err.print("\r" + line + "   ");
                } else if (!progress.get("stage").asText().equals(shownStage)
                        || System.nanoTime() - shownAt > QUIET_AT_MOST.toNanos()) {
                    System.err.println(line);
                    shownAt = System.nanoTime();
                }
                shownStage = progress.get("stage").asText();
            }
            String now = state.path("state").asText();
            if (now.equals("succeeded") || now.equals("failed")) {
                if (terminal) {
                    System.err.println();
                }
                return state;
            }
            Thread.sleep(POLL_EVERY.toMillis());
        }
    }

    /** "  fitting every model kind ... 5/11  (23 s)" */
    static String progressLine(JsonNode progress, double seconds) {
        return String.format(java.util.Locale.ROOT, "  %s %d/%d  (%.0f s)", progress.path("description").asText(),
                progress.path("done").asInt(), progress.path("total").asInt(), seconds);
    }

    /** The problem document's detail, else the body as it came. */
    static String reason(String body) {
        try {
            JsonNode problem = JSON.readTree(body);
            if (problem != null && problem.hasNonNull("detail")) {
                return problem.get("detail").asText();
            }
        } catch (IOException notJson) {
            // fall through: print it raw
        }
        return body.isBlank() ? "(no reason given)" : body.strip();
    }

    private static long copyCountingLines(InputStream in, OutputStream out) throws IOException {
        byte[] buffer = new byte[1 << 16];
        long lines = 0;
        int last = '\n';
        int n;
        while ((n = in.read(buffer)) > 0) {
            out.write(buffer, 0, n);
            for (int i = 0; i < n; i++) {
                if (buffer[i] == '\n') {
                    lines++;
                }
            }
            last = buffer[n - 1];
        }
        return last == '\n' ? lines : lines + 1;
    }
}
