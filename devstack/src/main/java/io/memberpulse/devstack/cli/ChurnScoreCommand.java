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
 * before it, streams the CSV to FILE (written beside it first, so a failure leaves no half file) and
 * prints how many members were scored and how long it took. A refusal exits non-zero with its reason.
 */
final class ChurnScoreCommand {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ChurnScoreCommand() {
    }

    static int run(Path state, String asOf, String horizon, Path out) throws IOException, InterruptedException {
        String churn = SummaryCommand.readEnv(state.resolve("stack.env")).get("CHURN_URL");
        if (churn == null) {
            System.err.println("the stack is not up (no CHURN_URL in " + state.resolve("stack.env") + ")");
            return 1;
        }
        URI endpoint = URI.create(churn + "/models/batch-score?asOf=" + URLEncoder.encode(asOf, StandardCharsets.UTF_8)
                + "&horizon=" + URLEncoder.encode(horizon, StandardCharsets.UTF_8));
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        HttpRequest request = HttpRequest.newBuilder(endpoint).timeout(Duration.ofMinutes(30))
                .header("Accept", "text/csv, application/problem+json").POST(HttpRequest.BodyPublishers.noBody()).build();
        System.out.printf("training on the facts before %s and scoring (horizon %s days)...%n", asOf, horizon);
        long started = System.nanoTime();
        HttpResponse<InputStream> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (java.net.ConnectException e) {
            System.err.println("churn-service does not answer at " + churn + " (is the stack up?)");
            return 1;
        }
        if (response.statusCode() != 200) {
            String body;
            try (InputStream in = response.body()) {
                body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            System.err.println("churn-service refused (" + response.statusCode() + "): " + reason(body));
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
        String model = response.headers().firstValue("X-Model-Kind").map(kind -> ", model " + kind).orElse("");
        System.out.printf("scored %,d members as of %s (horizon %s days%s) in %.1f s -> %s%n", Math.max(0, lines - 1),
                asOf, horizon, model, seconds, out);
        return 0;
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
