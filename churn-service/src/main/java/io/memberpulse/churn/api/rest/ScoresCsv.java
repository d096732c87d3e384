package io.memberpulse.churn.api.rest;

import io.memberpulse.churn.BatchScoreService;
import jakarta.ws.rs.core.StreamingOutput;
import java.io.BufferedWriter;
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

    static StreamingOutput of(List<BatchScoreService.Row> rows) {
        return output -> {
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
        };
    }

    /** Quoted only when it must be (a comma, quote or line break in it). */
    static String field(String value) {
        if (value.indexOf(',') < 0 && value.indexOf('"') < 0 && value.indexOf('\n') < 0 && value.indexOf('\r') < 0) {
            return value;
        }
        return '"' + value.replace("\"", "\"\"") + '"';
    }
}
