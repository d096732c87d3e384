package io.memberpulse.churn;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/** Batch scores as RFC 4180 CSV: {@code member_id,member_no,churn_probability}, member_no empty when unknown. */
final class ScoresCsv {
    static final String HEADER = "member_id,member_no,churn_probability";

    private ScoresCsv() {
    }

    static void write(List<BatchScoreService.Row> rows, OutputStream output) throws IOException {
        Writer out = new BufferedWriter(new OutputStreamWriter(output, StandardCharsets.UTF_8), 1 << 16);
        out.write(HEADER);
        out.write("\r\n");
        for (BatchScoreService.Row row : rows) {
            out.write(field(row.memberId()));
            out.write(',');
            out.write(row.memberNo() == null ? "" : field(row.memberNo()));
            out.write(',');
            out.write(String.format(Locale.ROOT, "%.6f", row.churnProbability()));
            out.write("\r\n");
        }
        out.flush();
    }

    /** Quoted only when it must be (a comma, quote or line break in it). */
    static String field(String value) {
        if (value.indexOf(',') < 0 && value.indexOf('"') < 0 && value.indexOf('\n') < 0 && value.indexOf('\r') < 0) {
            return value;
        }
        return '"' + value.replace("\"", "\"\"") + '"';
    }
}
