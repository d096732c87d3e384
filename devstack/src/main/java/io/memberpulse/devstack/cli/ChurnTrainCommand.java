package io.memberpulse.devstack.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code churn-train --state DIR [--as-of DATE] [--horizon DAYS]}: asks churn-service to train a model version
 * on the facts it knows (up to DATE; by default up to its event-time clock, the latest fact) and follows the job
 * (ChurnJobClient). It prints the version, what was chosen, its validation figures and whether it was promoted:
 * a new version serves only if it beats the current one (the rhythm baseline before any) on the validation
 * window. Until one is trained, the service scores with that baseline, so the demo trains one after its import.
 */
final class ChurnTrainCommand {
    private static final Duration POLL_EVERY = Duration.ofMillis(500);
    private static final Duration SHOW_EVERY = Duration.ofSeconds(5);
    private static final Duration RESCORE_AT_MOST = Duration.ofMinutes(5);

    private ChurnTrainCommand() {
    }

    static int run(Path state, String asOf, String horizon) throws IOException, InterruptedException {
        ChurnJobClient churn = ChurnJobClient.of(state);
        if (churn == null) {
            return 1;
        }
        if (asOf == null) {
            // "The facts known so far" must be all of them: right after an import churn-service is still taking
            // the events in, and its clock (where training cuts) is behind the data.
            SummaryCommand.awaitSettled(state);
        }
        List<String> query = new ArrayList<>();
        if (asOf != null) {
            query.add("asOf=" + URLEncoder.encode(asOf, StandardCharsets.UTF_8));
        }
        if (horizon != null) {
            query.add("horizon=" + URLEncoder.encode(horizon, StandardCharsets.UTF_8));
        }
        System.out.printf("training a churn model on the facts known %s...%n",
                asOf == null ? "so far" : "at " + asOf);
        long started = System.nanoTime();
        JsonNode end = churn.run("/models/train" + (query.isEmpty() ? "" : "?" + String.join("&", query)),
                "churn train", started);
        if (end == null) {
            return 1;
        }
        JsonNode result = end.path("result");
        JsonNode validation = result.path("validation");
        System.out.printf(Locale.ROOT, "trained %s in %.1f s: %s, validation AUC %.3f, lift@20%% %.2f%n",
                result.path("version").asText("?"), (System.nanoTime() - started) / 1e9, result.path("kind").asText("?"),
                validation.path("auc").asDouble(Double.NaN), validation.path("liftAt20").asDouble(Double.NaN));
        System.out.println("  " + result.path("decision").asText("(no decision given)"));
        if (result.path("promoted").asBoolean()) {
            awaitRescored(churn, result.path("version").asText(), System.nanoTime());
        }
        return 0;
    }

    /**
     * A promoted version re-scores every member at churn-service's next clock tick, after the job has ended: waits
     * until /stats counts every score as that version's, so that what runs next (the demo's summary) reads its
     * scores. Progress on stderr, as the job's.
     */
    private static void awaitRescored(ChurnJobClient churn, String version, long started)
            throws IOException, InterruptedException {
        long deadline = started + RESCORE_AT_MOST.toNanos();
        long shownAt = 0;
        while (System.nanoTime() < deadline) {
            JsonNode stats = churn.get("/stats");
            long done = stats.path("scoredByModel").asLong();
            long total = stats.path("scored").asLong();
            if (version.equals(stats.path("model").asText()) && done == total) {
                System.out.printf("  every member's score (%,d) is now %s's%n", total, version);
                return;
            }
            if (System.nanoTime() - shownAt > SHOW_EVERY.toNanos()) {
                System.err.println(ChurnJobClient.progressLine("re-scoring the members with the new version", done, total,
                        (System.nanoTime() - started) / 1e9));
                shownAt = System.nanoTime();
            }
            Thread.sleep(POLL_EVERY.toMillis());
        }
        System.err.println("  the members are still being re-scored after " + RESCORE_AT_MOST.toSeconds()
                + " s; scores move to " + version + " as they are");
    }
}
