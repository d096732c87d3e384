package io.memberpulse.churn.store;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * A batch's stored scores (churn_job.scores_csv_gz: gzip of the CSV {@code member_id,member_no,churn_probability},
 * one record a line, CRLF, a field quoted only when it holds a comma, quote or line break) without the rows of erased
 * members. Ids and member numbers hold no line break (every service refuses control characters in them), so a line
 * is a record.
 */
final class ErasedFromScoresCsv {
    private static final String CRLF = "\r\n";

    private ErasedFromScoresCsv() {
    }

    /** The member ids of the CSV's rows. */
    static Set<String> memberIds(byte[] gzippedCsv) {
        Set<String> ids = new LinkedHashSet<>();
        String[] lines = gunzip(gzippedCsv).split(CRLF);
        for (int i = 1; i < lines.length; i++) {
            if (!lines[i].isEmpty()) {
                ids.add(firstField(lines[i]));
            }
        }
        return ids;
    }

    /** The CSV without the rows of these members; the same bytes when it holds none of them. */
    static byte[] without(byte[] gzippedCsv, Set<String> erased) {
        if (erased.isEmpty()) {
            return gzippedCsv;
        }
        String[] lines = gunzip(gzippedCsv).split(CRLF);
        StringBuilder kept = new StringBuilder();
        boolean removed = false;
        for (int i = 0; i < lines.length; i++) {
            if (i > 0 && !lines[i].isEmpty() && erased.contains(firstField(lines[i]))) {
                removed = true;
                continue;
            }
            if (!lines[i].isEmpty()) {
                kept.append(lines[i]).append(CRLF);
            }
        }
        return removed ? gzip(kept.toString()) : gzippedCsv;
    }

    /** A line's first field, unquoted (RFC 4180: a quoted field doubles its quotes). */
    static String firstField(String line) {
        if (!line.startsWith("\"")) {
            int comma = line.indexOf(',');
            return comma < 0 ? line : line.substring(0, comma);
        }
        StringBuilder field = new StringBuilder();
        for (int i = 1; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '"') {
                if (i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    field.append('"');
                    i++;
                } else {
                    break;
                }
            } else {
                field.append(c);
            }
        }
        return field.toString();
    }

    private static String gunzip(byte[] gzipped) {
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(gzipped))) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] gzip(String text) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(bytes, 1 << 16)) {
            out.write(text.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }
}
