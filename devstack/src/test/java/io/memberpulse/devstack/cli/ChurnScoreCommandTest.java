package io.memberpulse.devstack.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The churn commands (score, and train) against a stand-in churn-service that runs each batch as a job in
 * three polls and each training in one.
 */
class ChurnScoreCommandTest {
    static final String CSV = "member_id,member_no,churn_probability\r\nm1,no-1,0.250000\r\nm2,,0.750000\r\n";
    static final String GOOD = "job-good";
    static final String TOO_EARLY = "job-early";
    static final String TRAINED = "job-trained";

    @TempDir
    Path dir;

    HttpServer churn;
    final AtomicInteger polls = new AtomicInteger();
    final AtomicInteger statsReads = new AtomicInteger();
    final List<String> requests = new ArrayList<>();
    final List<String> authorizations = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        churn = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        churn.createContext("/models/batch-scores", exchange -> {
            requests.add(exchange.getRequestMethod() + " " + exchange.getRequestURI());
            authorizations.add(exchange.getRequestHeaders().getFirst("Authorization"));
            String query = exchange.getRequestURI().getQuery();
            if (query.contains("horizon=ninety")) {
                send(exchange, 400, "application/problem+json",
                        "{\"status\":400,\"detail\":\"horizon: must be a whole number of days\"}");
            } else {
                String id = query.equals("asOf=2011-09-10&horizon=90") ? GOOD : TOO_EARLY;
                exchange.getResponseHeaders().add("Location", "/jobs/" + id);
                send(exchange, 202, "application/json", "{\"id\":\"" + id + "\",\"state\":\"queued\"}");
            }
        });
        churn.createContext("/models/train", exchange -> {
            requests.add(exchange.getRequestMethod() + " " + exchange.getRequestURI());
            authorizations.add(exchange.getRequestHeaders().getFirst("Authorization"));
            String query = exchange.getRequestURI().getQuery();
            String id = query == null || query.equals("asOf=2011-12-09&horizon=60") ? TRAINED : TOO_EARLY;
            send(exchange, 202, "application/json", "{\"id\":\"" + id + "\",\"state\":\"queued\"}");
        });
        churn.createContext("/stats", exchange -> {
            requests.add(exchange.getRequestMethod() + " " + exchange.getRequestURI());
            // the promoted version has re-scored one member of two at the first look, both at the second
            long rescored = Math.min(2, statsReads.incrementAndGet());
            send(exchange, 200, "application/json", "{\"members\":2,\"scored\":2,\"model\":\"blend-20261204-1\","
                    + "\"scoredByModel\":" + rescored + "}");
        });
        churn.createContext("/jobs/", exchange -> {
            requests.add(exchange.getRequestMethod() + " " + exchange.getRequestURI());
            authorizations.add(exchange.getRequestHeaders().getFirst("Authorization"));
            String path = exchange.getRequestURI().getPath();
            if (path.equals("/jobs/" + TRAINED)) {
                send(exchange, 200, "application/json", "{\"id\":\"job-trained\",\"state\":\"succeeded\","
                        + "\"progress\":{\"stage\":\"storing\",\"description\":\"storing the version\",\"done\":1,\"total\":1},"
                        + "\"result\":{\"version\":\"blend-20261204-1\",\"kind\":\"blend\",\"promoted\":true,"
                        + "\"decision\":\"promoted: validation AUC 0.7640 vs 0.6360 of the rhythm baseline\","
                        + "\"validation\":{\"auc\":0.764,\"liftAt20\":1.51}}}");
            } else if (path.equals("/jobs/" + GOOD + "/scores")) {
                send(exchange, 200, "text/csv", CSV);
            } else if (path.equals("/jobs/" + GOOD)) {
                send(exchange, 200, "application/json", switch (polls.incrementAndGet()) {
                    case 1 -> "{\"id\":\"job-good\",\"state\":\"running\",\"progress\":{\"stage\":\"validating-models\","
                            + "\"description\":\"fitting every model kind\",\"done\":3,\"total\":11}}";
                    case 2 -> "{\"id\":\"job-good\",\"state\":\"running\",\"progress\":{\"stage\":\"scoring\","
                            + "\"description\":\"scoring the members\",\"done\":0,\"total\":1}}";
                    default -> "{\"id\":\"job-good\",\"state\":\"succeeded\",\"progress\":{\"stage\":\"scoring\","
                            + "\"description\":\"scoring the members\",\"done\":1,\"total\":1},"
                            + "\"result\":{\"membersScored\":2,\"model\":\"blend\"},\"scores\":\"/jobs/job-good/scores\"}";
                });
            } else {
                send(exchange, 200, "application/json", "{\"id\":\"job-early\",\"state\":\"failed\","
                        + "\"problem\":{\"status\":409,\"detail\":\"too little data to validate\"}}");
            }
        });
        churn.start();
        Files.writeString(dir.resolve("stack.env"), "IDENTITY_URL=http://127.0.0.1:1\nCHURN_URL=http://127.0.0.1:"
                + churn.getAddress().getPort() + "\n");
    }

    private static void send(HttpExchange exchange, int status, String type, String text) throws IOException {
        byte[] body = text.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", type);
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    @AfterEach
    void stop() {
        churn.stop(0);
    }

    @Test
    void followsTheJobShowingEachStageThenWritesTheScoresToTheFile() throws Exception {
        Path out = dir.resolve("scores.csv");
        String shown = capturingStderr(() -> assertThat(ChurnScoreCommand.run(dir, "2011-09-10", "90", out)).isZero());
        assertThat(Files.readString(out)).isEqualTo(CSV);
        assertThat(dir.resolve("scores.csv.partial")).doesNotExist();
        assertThat(polls.get()).isEqualTo(3);
        assertThat(shown).contains("fitting every model kind 3/11", "scoring the members 0/1");
        assertThat(requests).containsExactly("POST /models/batch-scores?asOf=2011-09-10&horizon=90",
                "GET /jobs/job-good", "GET /jobs/job-good", "GET /jobs/job-good", "GET /jobs/job-good/scores");
        // every call signed with the stack's key, kept in the state folder, as an analyst
        assertThat(authorizations).hasSize(5).allSatisfy(value -> assertThat(value).startsWith("Bearer "));
        String payload = new String(java.util.Base64.getUrlDecoder().decode(authorizations.get(0).split("\\.")[1]),
                StandardCharsets.UTF_8);
        assertThat(payload).contains("\"analyst\"", io.memberpulse.devstack.auth.DevTokens.ISSUER);
        assertThat(dir.resolve("auth/token-signing.pub")).exists();
    }

    @Test
    void aFailedJobOrARefusalExitsNonZeroWithTheReasonAndWritesNothing() throws Exception {
        Path out = dir.resolve("scores.csv");
        String failed = capturingStderr(() -> assertThat(ChurnScoreCommand.run(dir, "2001-01-01", "90", out)).isEqualTo(1));
        assertThat(failed).contains("failed (409): too little data to validate");
        String refused = capturingStderr(() -> assertThat(ChurnScoreCommand.run(dir, "2011-09-10", "ninety", out))
                .isEqualTo(1));
        assertThat(refused).contains("refused (400): horizon: must be a whole number of days");
        assertThat(out).doesNotExist();
        assertThat(ChurnJobClient.reason("{\"detail\":\"too little data\"}")).isEqualTo("too little data");
        assertThat(ChurnJobClient.reason("Bad Gateway")).isEqualTo("Bad Gateway");
    }

    @Test
    void anOutputFileThatCannotBeWrittenIsRefusedBeforeTheJobStarts() throws Exception {
        Path out = dir.resolve("no-such-folder/scores.csv");
        String shown = capturingStderr(() -> assertThat(ChurnScoreCommand.run(dir, "2011-09-10", "90", out)).isEqualTo(1));
        assertThat(shown).contains("cannot write", "there is no folder", "no-such-folder");
        assertThat(requests).isEmpty();
    }

    @Test
    void aServiceThatStopsAnsweringEndsTheCommandWithAReasonNotAStackTrace() throws Exception {
        churn.removeContext("/jobs/");
        churn.createContext("/jobs/", exchange -> exchange.close()); // hangs up without an answer
        Path out = dir.resolve("scores.csv");
        String shown = capturingStderr(() -> assertThat(ChurnScoreCommand.run(dir, "2011-09-10", "90", out)).isEqualTo(1));
        assertThat(shown).contains("did not answer", "asking again", "churn score stopped: churn-service has not answered")
                .contains("/jobs/job-good");
        assertThat(out).doesNotExist();
    }

    @Test
    void trainingFollowsItsJobAndPrintsTheVersionItsFiguresAndTheDecision() throws Exception {
        String[] printed = new String[1];
        capturingStderr(() -> printed[0] = capturingStdout(() -> assertThat(ChurnTrainCommand.run(dir, null, null)).isZero()));
        assertThat(printed[0]).contains("training a churn model on the facts known so far",
                "trained blend-20261204-1", ": blend, validation AUC 0.764, lift@20% 1.51",
                "promoted: validation AUC 0.7640 vs 0.6360 of the rhythm baseline",
                "every member's score (2) is now blend-20261204-1's");
        // promoted: it waits until /stats counts every score as the new version's
        assertThat(requests).containsExactly("POST /models/train", "GET /jobs/job-trained", "GET /stats", "GET /stats");
        assertThat(authorizations).allSatisfy(value -> assertThat(value).startsWith("Bearer "));

        requests.clear();
        capturingStderr(() -> capturingStdout(() -> assertThat(ChurnTrainCommand.run(dir, "2011-12-09", "60")).isZero()));
        assertThat(requests.get(0)).isEqualTo("POST /models/train?asOf=2011-12-09&horizon=60");

        String failed = capturingStderr(() -> capturingStdout(() -> assertThat(ChurnTrainCommand.run(dir, "1999-01-01", null))
                .isEqualTo(1)));
        assertThat(failed).contains("churn train failed (409): too little data to validate");
    }

    @Test
    void withoutAStackItSaysSo() throws Exception {
        assertThat(ChurnScoreCommand.run(dir.resolve("nowhere"), "2011-09-10", "90", dir.resolve("x.csv"))).isEqualTo(1);
    }

    interface Action {
        void run() throws Exception;
    }

    private static String capturingStdout(Action action) throws Exception {
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            action.run();
        } finally {
            System.setOut(original);
        }
        return captured.toString(StandardCharsets.UTF_8);
    }

    private static String capturingStderr(Action action) throws Exception {
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            action.run();
        } finally {
            System.setErr(original);
        }
        return captured.toString(StandardCharsets.UTF_8);
    }
}
