package io.memberpulse.devstack.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The launcher's side of churn-service's jobs (training, batch scores): a run takes a minute or more, longer
 * than one request should wait, so churn-service answers 202 with a job. This submits it, follows it, showing
 * each stage and how far it is on stderr, and gives back its final state. Every request is signed with the
 * stack's key. Failures are printed with their reason; the caller only decides the exit code.
 */
final class ChurnJobClient {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration POLL_EVERY = Duration.ofMillis(500);
    private static final Duration QUIET_AT_MOST = Duration.ofSeconds(10);
    private static final int MAX_UNANSWERED = 5;

    private final String churnUrl;
    private final String auth;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private ChurnJobClient(String churnUrl, String auth) {
        this.churnUrl = churnUrl;
        this.auth = auth;
    }

    /** The client of the stack whose state folder this is; null (and why, printed) when it is not up. */
    static ChurnJobClient of(Path state) throws IOException {
        String churn = SummaryCommand.readEnv(state.resolve("stack.env")).get("CHURN_URL");
        if (churn == null) {
            System.err.println("the stack is not up (no CHURN_URL in " + state.resolve("stack.env") + ")");
            return null;
        }
        return new ChurnJobClient(churn, LauncherTokens.bearer(state));
    }

    HttpClient http() {
        return http;
    }

    String auth() {
        return auth;
    }

    URI uri(String pathAndQuery) {
        return URI.create(churnUrl + pathAndQuery);
    }

    /** GETs a JSON document (SummaryCommand.get: IOException when churn-service answers anything but 200). */
    JsonNode get(String pathAndQuery) throws IOException, InterruptedException {
        return SummaryCommand.get(auth, churnUrl + pathAndQuery);
    }

    /**
     * POSTs pathAndQuery, follows the job it starts and returns its final state when it succeeded; null when
     * churn-service refused, could not be reached or the job failed (each printed with its reason, named what).
     */
    JsonNode run(String pathAndQuery, String what, long started) throws IOException, InterruptedException {
        HttpResponse<String> accepted;
        try {
            accepted = http.send(HttpRequest.newBuilder(uri(pathAndQuery)).timeout(Duration.ofMinutes(1))
                    .header("Authorization", auth).header("Accept", "application/json")
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        } catch (java.net.ConnectException e) {
            System.err.println("churn-service does not answer at " + churnUrl + " (is the stack up?)");
            return null;
        }
        if (accepted.statusCode() != 202) {
            System.err.println("churn-service refused (" + accepted.statusCode() + "): " + reason(accepted.body()));
            return null;
        }
        URI job = uri("/jobs/" + JSON.readTree(accepted.body()).get("id").asText());
        JsonNode end;
        try {
            end = follow(job, started);
        } catch (IOException e) {
            System.err.println(what + " stopped: " + e.getMessage());
            return null;
        }
        if (!"succeeded".equals(end.path("state").asText())) {
            System.err.println(what + " failed (" + end.path("problem").path("status").asText("?") + "): "
                    + end.path("problem").path("detail").asText("(no reason given)"));
            return null;
        }
        return end;
    }

    /**
     * Polls the job until it has succeeded or failed, showing its stage and done of total on stderr: redrawn
     * in place on a terminal, otherwise a line at each stage and every 10 s (CI logs).
     */
    private JsonNode follow(URI job, long started) throws IOException, InterruptedException {
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
        return progressLine(progress.path("description").asText(), progress.path("done").asLong(),
                progress.path("total").asLong(), seconds);
    }

    static String progressLine(String description, long done, long total, double seconds) {
        return String.format(java.util.Locale.ROOT, "  %s %d/%d  (%.0f s)", description, done, total, seconds);
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
}
