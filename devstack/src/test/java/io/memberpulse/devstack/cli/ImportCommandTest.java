package io.memberpulse.devstack.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImportCommandTest {
    private static final String CSV = "source,event_id,type,occurred_at,member_no\r\npos,e1,order,2024-01-05T10:00:00,M1\r\n";

    @Test
    void aByteOrderMarkIsNotPartOfTheFirstColumnsName() throws IOException {
        byte[] withMark = ("\uFEFF" + CSV).getBytes(StandardCharsets.UTF_8);
        try (CSVParser parser = ImportCommand.openCsv(new ByteArrayInputStream(withMark))) {
            assertEquals(List.of("source", "event_id", "type", "occurred_at", "member_no"), parser.getHeaderNames());
            List<CSVRecord> rows = parser.getRecords();
            assertEquals(1, rows.size());
            assertEquals("pos", rows.get(0).get("source"));
        }
    }

    @Test
    void aFileWithoutAMarkKeepsItsFirstCharacter() throws IOException {
        try (CSVParser parser = ImportCommand.openCsv(new ByteArrayInputStream(CSV.getBytes(StandardCharsets.UTF_8)))) {
            assertEquals("source", parser.getHeaderNames().get(0));
            assertEquals("e1", parser.getRecords().get(0).get("event_id"));
        }
    }

    @Test
    void blankLinesAreNoRows() throws IOException {
        String csv = "event_id,source\n\ne1,pos\n   \n,\n";
        try (CSVParser parser = ImportCommand.openCsv(new ByteArrayInputStream(csv.getBytes(StandardCharsets.UTF_8)))) {
            List<Boolean> blank = parser.getRecords().stream().map(ImportCommand::isBlank).toList();
            // a row of empty cells is not a blank line: identity-service rejects it naming what is missing
            assertEquals(List.of(true, false, true, false), blank);
        }
    }

    /**
     * Against a stand-in for identity-service's POST /events/csv that rejects every row whose event id starts
     * with "bad", naming its position in the request as the service does.
     */
    @Test
    void rejectedRowsAreReportedAtTheirLineInTheFileAndTheImportExitsWithThree(@TempDir Path dir) throws Exception {
        HttpServer identity = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        identity.createContext("/events/csv", exchange -> {
            List<String> rows = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8).lines()
                    .skip(1).toList();
            StringBuilder rejections = new StringBuilder();
            for (int position = 1; position <= rows.size(); position++) {
                if (rows.get(position - 1).startsWith("bad")) {
                    rejections.append(rejections.isEmpty() ? "" : ",").append("""
                            {"position": %d, "field": "occurred_at", "reason": "not a date"}""".formatted(position));
                }
            }
            long rejected = rejections.toString().split("position", -1).length - 1;
            byte[] answer = """
                    {"accepted": %d, "duplicates": 0, "rejected": %d, "rejections": [%s]}"""
                    .formatted(rows.size() - rejected, rejected, rejections).getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, answer.length);
            exchange.getResponseBody().write(answer);
            exchange.close();
        });
        identity.start();
        PrintStream console = System.out;
        PrintStream errorConsole = System.err;
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        ByteArrayOutputStream errors = new ByteArrayOutputStream();
        try {
            String url = "http://127.0.0.1:" + identity.getAddress().getPort();
            Path clean = Files.writeString(dir.resolve("clean.csv"), "event_id,source\ne1,pos\ne2,pos\ne3,pos\n");
            // line 1 the header, 2 e1, 3 blank (no row), 4 e2, 5 bad: the second request of two rows, its position 2
            Path withBadRow = Files.writeString(dir.resolve("bad.csv"), "event_id,source\ne1,pos\n\ne2,pos\nbad3,pos\n");
            System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));

            assertEquals(0, ImportCommand.run(clean, url, 2, "Bearer x"));
            assertEquals(ImportCommand.SOME_ROWS_REJECTED, ImportCommand.run(withBadRow, url, 2, "Bearer x"));
            // a quote never closed on line 4: the two rows before it still go, the import says where it broke
            Path unclosed = Files.writeString(dir.resolve("unclosed.csv"),
                    "event_id,source\ne1,pos\ne2,pos\n\"e3,pos\ne4,pos\n");
            System.setErr(new PrintStream(errors, true, StandardCharsets.UTF_8));
            assertEquals(1, ImportCommand.run(unclosed, url, 5, "Bearer x"));
        } finally {
            System.setOut(console);
            System.setErr(errorConsole);
            identity.stop(0);
        }
        String output = printed.toString(StandardCharsets.UTF_8);
        assertTrue(output.contains("imported unclosed.csv: 2 rows"), output);
        String error = errors.toString(StandardCharsets.UTF_8);
        assertTrue(error.contains("import stopped: the CSV cannot be read from line 4: "), error);
        assertTrue(output.contains("3 rows in"), output);
        assertTrue(output.contains("2 accepted, 0 already known, 1 rejected"), output);
        assertTrue(output.contains("line 5: occurred_at: not a date"), output);
    }

    /** The service names the known events that came again with other content; the import lists them after the counts. */
    @Test
    void eventsSentAgainWithOtherContentAreNamed(@TempDir Path dir) throws Exception {
        HttpServer identity = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        identity.createContext("/events/csv", exchange -> {
            List<String> rows = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8).lines()
                    .skip(1).toList();
            List<String> changed = rows.stream().filter(row -> row.contains("corrected"))
                    .map(row -> "\"pos:" + row.substring(0, row.indexOf(',')) + "\"").toList();
            byte[] answer = """
                    {"accepted": 0, "duplicates": %d, "rejected": 0, "rejections": [], "changed": %d,
                     "changedEvents": [%s]}""".formatted(rows.size(), changed.size(), String.join(",", changed))
                    .getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, answer.length);
            exchange.getResponseBody().write(answer);
            exchange.close();
        });
        identity.start();
        PrintStream console = System.out;
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        try {
            Path file = Files.writeString(dir.resolve("again.csv"),
                    "event_id,note\ne1,same\ne2,corrected\ne3,same\ne4,corrected\n");
            System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
            assertEquals(0, ImportCommand.run(file, "http://127.0.0.1:" + identity.getAddress().getPort(), 2, "Bearer x"));
        } finally {
            System.setOut(console);
            identity.stop(0);
        }
        String output = printed.toString(StandardCharsets.UTF_8);
        assertTrue(output.contains("0 accepted, 4 already known, 0 rejected"), output);
        assertTrue(output.contains("2 of those already known came with other content than first imported; the first"
                + " content stands (send a correction as a new event): pos:e2, pos:e4"), output);
    }

    /** The service names the header's columns it ignored in each answer; the import says so once, not per request. */
    @Test
    void columnsTheServiceIgnoredAreNamedOnce(@TempDir Path dir) throws Exception {
        HttpServer identity = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        identity.createContext("/events/csv", exchange -> {
            long rows = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8).lines().count() - 1;
            byte[] answer = """
                    {"accepted": %d, "duplicates": 0, "rejected": 0, "rejections": [], "changed": 0,
                     "changedEvents": [], "ignoredColumns": ["margin_rte"]}""".formatted(rows)
                    .getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, answer.length);
            exchange.getResponseBody().write(answer);
            exchange.close();
        });
        identity.start();
        PrintStream console = System.out;
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        try {
            Path file = Files.writeString(dir.resolve("typo.csv"),
                    "event_id,margin_rte\ne1,0.3\ne2,0.3\ne3,0.3\ne4,0.3\n");
            System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
            assertEquals(0, ImportCommand.run(file, "http://127.0.0.1:" + identity.getAddress().getPort(), 2, "Bearer x"));
        } finally {
            System.setOut(console);
            identity.stop(0);
        }
        String output = printed.toString(StandardCharsets.UTF_8);
        assertTrue(output.contains("columns ignored (not in the format): margin_rte"), output);
        assertEquals(output.indexOf("columns ignored"), output.lastIndexOf("columns ignored"), output);
    }
}
