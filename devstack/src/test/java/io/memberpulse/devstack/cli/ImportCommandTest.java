package io.memberpulse.devstack.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImportCommandTest {
    private static final String CSV = "source,event_id,type,occurred_at,member_no\r\npos,e1,order,2024-01-05T10:00:00,M1\r\n";

    @TempDir
    Path dir;

    @Test
    void aByteOrderMarkIsNotPartOfTheFirstColumnsName() throws Exception {
        try (FakeIdentity identity = new FakeIdentity(accepting())) {
            Path file = Files.write(dir.resolve("excel.csv"), ("\uFEFF" + CSV).getBytes(StandardCharsets.UTF_8));
            assertEquals(0, identity.importing(file, 5).exit());
            assertEquals(List.of("source,event_id,type,occurred_at,member_no", "pos,e1,order,2024-01-05T10:00:00,M1"),
                    identity.bodies.get(0).lines().toList());
        }
    }

    @Test
    void aFileWithoutAMarkKeepsItsFirstCharacter() throws Exception {
        try (FakeIdentity identity = new FakeIdentity(accepting())) {
            assertEquals(0, identity.importing(Files.writeString(dir.resolve("plain.csv"), CSV), 5).exit());
            assertTrue(identity.bodies.get(0).startsWith("source,event_id,"), identity.bodies.get(0));
        }
    }

    @Test
    void blankLinesAreNoRows() throws Exception {
        try (FakeIdentity identity = new FakeIdentity(accepting())) {
            Imported imported = identity.importing(
                    Files.writeString(dir.resolve("blank.csv"), "event_id,source\n\ne1,pos\n   \n,\n"), 5);
            // a row of empty cells is not a blank line: identity-service rejects it naming what is missing
            assertEquals(List.of("e1,pos", "\"\","), identity.bodies.get(0).lines().skip(1).toList());
            assertTrue(imported.out().contains("2 rows in"), imported.out());
        }
    }

    @Test
    void rejectedRowsAreReportedAtTheirLineInTheFileAndTheImportExitsWithThree() throws Exception {
        try (FakeIdentity identity = new FakeIdentity(rejecting(row -> row.startsWith("bad") ? "occurred_at: not a date" : null))) {
            Path clean = Files.writeString(dir.resolve("clean.csv"), "event_id,source\ne1,pos\ne2,pos\ne3,pos\n");
            // line 1 the header, 2 e1, 3 blank (no row), 4 e2, 5 bad: the second request of two rows, its position 2
            Path withBadRow = Files.writeString(dir.resolve("bad.csv"), "event_id,source\ne1,pos\n\ne2,pos\nbad3,pos\n");

            assertEquals(0, identity.importing(clean, 2).exit());
            Imported imported = identity.importing(withBadRow, 2);

            assertEquals(ImportCommand.SOME_ROWS_REJECTED, imported.exit());
            assertTrue(imported.out().contains("3 rows in"), imported.out());
            assertTrue(imported.out().contains("2 accepted, 0 already known, 1 rejected\n"), imported.out());
            assertTrue(imported.out().contains("line 5: occurred_at: not a date"), imported.out());
        }
    }

    /**
     * As identity-service reads a body: a record commons-csv cannot read (text after a closing quote, a quote never
     * closed) costs only itself; the import goes on at the next line, lists it at its line with the rows rejected and
     * counts it. A row of too few cells is readable: the service rejects it (here a stand-in as the service words it).
     */
    @Test
    void anUnreadableRecordIsSkippedAtItsLineAndTheRowsAfterItImported() throws Exception {
        try (FakeIdentity identity = new FakeIdentity(rejecting(row -> row.startsWith("bad") ? "occurred_at: not a date"
                : row.split(",", -1).length != 2 ? "row: has 1 cells, the header has 2" : null))) {
            Path file = Files.writeString(dir.resolve("broken.csv"),
                    "event_id,source\ne1,pos\n\"e2\" x,pos\ne3,pos\ne4\n\"e5,pos\ne6,pos\nbad7,pos\n");

            Imported imported = identity.importing(file, 2);

            assertEquals(ImportCommand.SOME_ROWS_REJECTED, imported.exit(), imported.err());
            assertEquals(List.of("e1,pos", "e3,pos", "e4", "e6,pos", "bad7,pos"), identity.bodies.stream()
                    .flatMap(body -> body.lines().skip(1)).toList());
            assertTrue(imported.out().contains("7 rows in"), imported.out());
            assertTrue(imported.out().contains("3 accepted, 0 already known, 2 rejected, 2 unreadable (skipped)"),
                    imported.out());
            assertTrue(imported.out().contains("""
                      line 3: row: malformed CSV: a character follows the closing quote of a quoted cell before the next comma
                      line 5: row: has 1 cells, the header has 2
                      line 6: row: malformed CSV: a quote opened on this line is never closed
                      line 8: occurred_at: not a date
                    """), imported.out());
        }
    }

    /** A file that cannot be read on (a .gz cut short) stops the import: the rows read before it are in. */
    @Test
    void aFileCutShortStopsTheImportWithOne() throws Exception {
        try (FakeIdentity identity = new FakeIdentity(accepting())) {
            StringBuilder csv = new StringBuilder("event_id,source\n");
            for (int i = 1; i <= 20_000; i++) {
                csv.append('e').append(i).append(",pos\n");
            }
            ByteArrayOutputStream zipped = new ByteArrayOutputStream();
            try (GZIPOutputStream gzip = new GZIPOutputStream(zipped)) {
                gzip.write(csv.toString().getBytes(StandardCharsets.UTF_8));
            }
            byte[] whole = zipped.toByteArray();
            Path file = Files.write(dir.resolve("cut.csv.gz"), Arrays.copyOf(whole, whole.length / 2));

            Imported imported = identity.importing(file, 1_000);

            assertEquals(1, imported.exit());
            assertTrue(imported.err().contains("import stopped: the CSV cannot be read from line "),
                    imported.err());
            assertTrue(!identity.bodies.isEmpty(), "the rows before it were sent");
        }
    }

    /** The service names the known events that came again with other content; the import lists them after the counts. */
    @Test
    void eventsSentAgainWithOtherContentAreNamed() throws Exception {
        try (FakeIdentity identity = new FakeIdentity(rows -> {
            List<String> changed = rows.stream().filter(row -> row.contains("corrected"))
                    .map(row -> "\"pos:" + row.substring(0, row.indexOf(',')) + "\"").toList();
            return """
                    {"accepted": 0, "duplicates": %d, "rejected": 0, "rejections": [], "changed": %d,
                     "changedEvents": [%s]}""".formatted(rows.size(), changed.size(), String.join(",", changed));
        })) {
            Path file = Files.writeString(dir.resolve("again.csv"),
                    "event_id,note\ne1,same\ne2,corrected\ne3,same\ne4,corrected\n");
            Imported imported = identity.importing(file, 2);

            assertEquals(0, imported.exit());
            assertTrue(imported.out().contains("0 accepted, 4 already known, 0 rejected"), imported.out());
            assertTrue(imported.out().contains("2 of those already known came with other content than first imported;"
                    + " the first content stands (send a correction as a new event): pos:e2, pos:e4"), imported.out());
        }
    }

    /** The service names the header's columns it ignored in each answer; the import says so once, not per request. */
    @Test
    void columnsTheServiceIgnoredAreNamedOnce() throws Exception {
        try (FakeIdentity identity = new FakeIdentity(rows -> """
                {"accepted": %d, "duplicates": 0, "rejected": 0, "rejections": [], "changed": 0,
                 "changedEvents": [], "ignoredColumns": ["margin_rte"]}""".formatted(rows.size()))) {
            Path file = Files.writeString(dir.resolve("typo.csv"),
                    "event_id,margin_rte\ne1,0.3\ne2,0.3\ne3,0.3\ne4,0.3\n");
            Imported imported = identity.importing(file, 2);

            assertEquals(0, imported.exit());
            String output = imported.out();
            assertTrue(output.contains("columns ignored (not in the format): margin_rte"), output);
            assertEquals(output.indexOf("columns ignored"), output.lastIndexOf("columns ignored"), output);
        }
    }

    /** Every row accepted. */
    private static Function<List<String>, String> accepting() {
        return rejecting(row -> null);
    }

    /**
     * Every row accepted but those {@code reasonOf} gives a "field: reason" for, each rejected at its 1-based position
     * in the request, as the service names it.
     */
    private static Function<List<String>, String> rejecting(Function<String, String> reasonOf) {
        return rows -> {
            List<String> rejections = new ArrayList<>();
            for (int position = 1; position <= rows.size(); position++) {
                String reason = reasonOf.apply(rows.get(position - 1));
                if (reason != null) {
                    int colon = reason.indexOf(": ");
                    rejections.add("""
                            {"position": %d, "field": "%s", "reason": "%s"}""".formatted(position,
                            reason.substring(0, colon), reason.substring(colon + 2)));
                }
            }
            return """
                    {"accepted": %d, "duplicates": 0, "rejected": %d, "rejections": [%s]}"""
                    .formatted(rows.size() - rejections.size(), rejections.size(), String.join(",", rejections));
        };
    }

    /** What an import returned and printed. */
    private record Imported(int exit, String out, String err) {
    }

    /**
     * A stand-in for identity-service's POST /events/csv: keeps each request's body and answers it with what
     * {@code answer} makes of its rows (the lines after its header).
     */
    private static final class FakeIdentity implements AutoCloseable {
        final List<String> bodies = new CopyOnWriteArrayList<>();
        private final HttpServer server;

        FakeIdentity(Function<List<String>, String> answer) throws IOException {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.createContext("/events/csv", exchange -> {
                String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
                bodies.add(body);
                byte[] reply = answer.apply(body.lines().skip(1).toList()).getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(200, reply.length);
                exchange.getResponseBody().write(reply);
                exchange.close();
            });
            server.start();
        }

        /** Imports the file in requests of {@code chunkSize} rows, with what it prints kept. */
        Imported importing(Path file, int chunkSize) throws IOException, InterruptedException {
            PrintStream console = System.out;
            PrintStream errorConsole = System.err;
            ByteArrayOutputStream printed = new ByteArrayOutputStream();
            ByteArrayOutputStream errors = new ByteArrayOutputStream();
            System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(errors, true, StandardCharsets.UTF_8));
            try {
                int exit = ImportCommand.run(file, "http://127.0.0.1:" + server.getAddress().getPort(), chunkSize,
                        "Bearer x");
                return new Imported(exit, printed.toString(StandardCharsets.UTF_8), errors.toString(StandardCharsets.UTF_8));
            } finally {
                System.setOut(console);
                System.setErr(errorConsole);
            }
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }
}
