package io.memberpulse.devstack.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Optional;

/**
 * {@code churn-score --state DIR --as-of DATE --horizon DAYS --out FILE}: asks churn-service (CHURN_URL
 * from the stack's stack.env) to train on the facts before DATE and score every member who bought
 * before it. That runs as a job: this follows it (ChurnJobClient), printing each stage and how far it is, then streams
 * the CSV to FILE (written beside it first, so a failure leaves no half file) and prints how many
 * members were scored and how long it took. A refusal or a failed job exits non-zero with its reason.
 */
final class ChurnScoreCommand {
    private ChurnScoreCommand() {
    }

    static int run(Path state, String asOf, String horizon, Path out) throws IOException, InterruptedException {
        // Checked before the job: training takes minutes, and a mistyped folder should not cost them.
        Optional<String> unwritable = OutputFile.whyNotWritable(out);
        if (unwritable.isPresent()) {
            System.err.println("churn score: " + unwritable.get());
            return 1;
        }
        ChurnJobClient churn = ChurnJobClient.of(state);
        if (churn == null) {
            return 1;
        }
        System.out.printf("training on the facts before %s and scoring (horizon %s days)...%n", asOf, horizon);
        long started = System.nanoTime();
        JsonNode end = churn.run("/models/batch-scores?asOf=" + URLEncoder.encode(asOf, StandardCharsets.UTF_8)
                + "&horizon=" + URLEncoder.encode(horizon, StandardCharsets.UTF_8), "churn score", started);
        if (end == null) {
            return 1;
        }
        HttpResponse<InputStream> response = churn.http().send(HttpRequest.newBuilder(churn.uri(end.get("scores")
                .asText())).timeout(Duration.ofMinutes(10)).header("Authorization", churn.auth())
                .header("Accept", "text/csv, application/problem+json").GET().build(), HttpResponse.BodyHandlers.ofInputStream());
        if (response.statusCode() != 200) {
            String body;
            try (InputStream in = response.body()) {
                body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            System.err.println("churn-service refused the scores (" + response.statusCode() + "): "
                    + ChurnJobClient.reason(body));
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
