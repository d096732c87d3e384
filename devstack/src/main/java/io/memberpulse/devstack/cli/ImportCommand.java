package io.memberpulse.devstack.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.memberpulse.proto.csv.CsvRecords;
import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.zip.GZIPInputStream;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.apache.commons.io.input.BOMInputStream;

/**
 * {@code import FILE}: streams a channel-event CSV (plain or .gz) to identity-service in chunks,
 * with a progress bar, and reports rows accepted, already known, rejected and unreadable (a broken
 * quote: skipped, the import goes on at the next line, as identity-service does in a body), with
 * the first reasons at their line in the file.
 */
final class ImportCommand {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int LISTED_REJECTIONS = 10;
    /**
     * Rows per request. The service stitches one batch while it writes the one before, but a request
     * answers only once all of it is stored and acknowledged, so each request ends with its last write
     * alone: at 5,000 rows (two batches) that made a 287k-event import take half again as long
     * (identity ImportBenchmarkTest). About 9 MB of CSV; the service reads it as a stream.
     */
    static final int DEFAULT_CHUNK = 50_000;
    /** The exit status of an import that rejected rows: a script sees it, though the good rows are in. */
    static final int SOME_ROWS_REJECTED = 3;

    private ImportCommand() {
    }

    /** @param auth the Authorization header value */
    static int run(Path file, String identityUrl, int chunkSize, String auth) throws IOException, InterruptedException {
        if (!Files.isRegularFile(file)) {
            System.err.println("no such file: " + file);
            return 2;
        }
        long totalBytes = Files.size(file);
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        URI endpoint = URI.create(identityUrl + "/events/csv");
        Progress progress = new Progress(totalBytes);
        Totals totals = new Totals();
        String unreadable = null;
        long started = System.nanoTime();

        try (CountingStream counted = new CountingStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16));
                InputStream content = file.toString().endsWith(".gz") ? new GZIPInputStream(counted, 1 << 16) : counted;
                Reader reader = openCsv(content)) {
            CsvRecords records = new CsvRecords(reader);
            List<List<String>> chunk = new ArrayList<>(chunkSize);
            List<Long> lines = new ArrayList<>(chunkSize);
            long line = 0; // the last record's
            List<String> names = List.of();
            try {
                CsvRecords.Record header = records.next();
                if (header != null && header.broken() != null) {
                    System.err.println("import stopped: the CSV's header (line 1) cannot be read: " + header.broken());
                    return 1;
                }
                if (header != null) {
                    names = header.cells();
                }
                for (CsvRecords.Record record = records.next(); record != null; record = records.next()) {
                    line = record.line();
                    if (record.broken() != null) {
                        // as identity-service reads a body: only this record is lost, the reader goes on at the next line
                        totals.unreadable(line, record.broken());
                        continue;
                    }
                    if (record.isBlank()) {
                        continue;
                    }
                    chunk.add(record.cells());
                    lines.add(line);
                    if (chunk.size() == chunkSize) {
                        totals.add(send(http, endpoint, auth, names, chunk), lines);
                        chunk.clear();
                        lines.clear();
                        progress.show(counted.count(), totals.rows);
                    }
                }
            } catch (UncheckedIOException e) {
                // the file itself cannot be read on (a .gz cut short): the rows read before it are still imported,
                // and the import ends naming where the file broke
                unreadable = "line " + (line + 1) + ": " + (e.getCause() != null ? e.getCause().getMessage() : e.getMessage());
            }
            if (!chunk.isEmpty()) {
                totals.add(send(http, endpoint, auth, names, chunk), lines);
            }
            progress.show(totalBytes, totals.rows);
        } catch (IOException e) {
            progress.end();
            System.err.println("import stopped: " + e.getMessage());
            return 1;
        }
        progress.end();
        double seconds = (System.nanoTime() - started) / 1e9;
        System.out.printf("imported %s: %,d rows in %.1f s (%,.0f rows/s): %,d accepted, %,d already known, %,d rejected%s%n",
                file.getFileName(), totals.rows, seconds, totals.rows / Math.max(seconds, 1e-3), totals.accepted,
                totals.duplicates, totals.rejected,
                totals.unreadable > 0 ? String.format(", %,d unreadable (skipped)", totals.unreadable) : "");
        totals.reasons.values().forEach(reason -> System.out.println("  " + reason));
        if (totals.rejected + totals.unreadable > totals.reasons.size()) {
            System.out.printf("  ... and %,d more rejected or unreadable rows%n",
                    totals.rejected + totals.unreadable - totals.reasons.size());
        }
        if (totals.changed > 0) {
            System.out.printf("%,d of those already known came with other content than first imported; the first content"
                    + " stands (send a correction as a new event): %s%s%n", totals.changed,
                    String.join(", ", totals.changedEvents),
                    totals.changed > totals.changedEvents.size() ? ", ..." : "");
        }
        if (!totals.ignoredColumns.isEmpty()) {
            // a misspelt column (margin_rte) loses its values without a rejected row: say so once
            System.out.println("columns ignored (not in the format): " + String.join(", ", totals.ignoredColumns));
        }
        if (unreadable != null) {
            System.err.println("import stopped: the CSV cannot be read from " + unreadable
                    + "; the rows before it were imported");
            return 1;
        }
        return totals.rejected > 0 || totals.unreadable > 0 ? SOME_ROWS_REJECTED : 0;
    }

    /**
     * The file's text, read by proto's CsvRecords as identity-service reads a body (a broken record costs only itself;
     * a blank line is no row, skipped here so that the rows after it keep their line numbers). A byte-order mark
     * (Excel's "CSV UTF-8") is dropped, which would otherwise stick to the first column's name and make
     * identity-service refuse the file for a missing column.
     */
    private static Reader openCsv(InputStream content) throws IOException {
        return new InputStreamReader(BOMInputStream.builder().setInputStream(content).get(), StandardCharsets.UTF_8);
    }

    private static JsonNode send(HttpClient http, URI endpoint, String auth, List<String> header, List<List<String>> chunk)
            throws IOException, InterruptedException {
        StringWriter body = new StringWriter(chunk.size() * 160);
        try (CSVPrinter printer = new CSVPrinter(body, CSVFormat.RFC4180)) {
            printer.printRecord(header);
            for (List<String> cells : chunk) {
                printer.printRecord(cells);
            }
        }
        HttpRequest request = HttpRequest.newBuilder(endpoint).timeout(Duration.ofMinutes(5))
                .header("Content-Type", "text/csv").header("Authorization", auth).POST(HttpRequest.BodyPublishers.ofString(body.toString())).build();
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (java.net.ConnectException e) {
            throw new IOException("identity-service does not answer at " + endpoint + " (is the stack up?)", e);
        }
        if (response.statusCode() != 200) {
            throw new IOException("identity-service answered " + response.statusCode() + ": " + response.body());
        }
        return JSON.readTree(response.body());
    }

    /**
     * What the service answered for the chunks sent so far and the records that could not be read, and the first
     * rejections and unreadable records by their line in the file.
     */
    private static final class Totals {
        long rows;
        long accepted;
        long duplicates;
        long rejected;
        long unreadable;
        long changed;
        /** The first {@link #LISTED_REJECTIONS} in the file's order: a chunk's answer comes after the records skipped in it. */
        final NavigableMap<Long, String> reasons = new TreeMap<>();
        final List<String> changedEvents = new ArrayList<>();
        /** Named by every chunk's answer alike, as each chunk carries the file's header. */
        final Set<String> ignoredColumns = new LinkedHashSet<>();

        /** One chunk's answer; its rejections name a 1-based position in the chunk, whose rows came from these lines. */
        void add(JsonNode answer, List<Long> lines) {
            rows += lines.size();
            accepted += answer.path("accepted").asLong();
            duplicates += answer.path("duplicates").asLong();
            rejected += answer.path("rejected").asLong();
            changed += answer.path("changed").asLong();
            answer.path("ignoredColumns").forEach(column -> ignoredColumns.add(column.asText()));
            for (JsonNode event : answer.path("changedEvents")) {
                if (changedEvents.size() < LISTED_REJECTIONS) {
                    changedEvents.add(event.asText());
                }
            }
            for (JsonNode rejection : answer.path("rejections")) {
                int position = rejection.path("position").asInt();
                long line = position >= 1 && position <= lines.size() ? lines.get(position - 1) : -1;
                list(line, rejection.path("field").asText() + ": " + rejection.path("reason").asText());
            }
        }

        /** A record that could not be read as CSV, worded as identity-service rejects one in a body. */
        void unreadable(long line, String reason) {
            rows++;
            unreadable++;
            list(line, "row: malformed CSV: " + reason);
        }

        private void list(long line, String reason) {
            reasons.put(line, "line " + line + ": " + reason);
            if (reasons.size() > LISTED_REJECTIONS) {
                reasons.pollLastEntry();
            }
        }
    }

    /** Counts the bytes read from the file, for the progress bar of a compressed file. */
    private static final class CountingStream extends FilterInputStream {
        private long count;

        CountingStream(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count++;
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n = super.read(buffer, offset, length);
            if (n > 0) {
                count += n;
            }
            return n;
        }

        long count() {
            return count;
        }
    }
}
