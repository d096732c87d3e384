package io.memberpulse.identity.api.rest;

import io.memberpulse.identity.api.EventIntake;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * The answer to an import: counts, the first rejections with their position, line and reason, the first
 * duplicates that came with other content than the event first imported under their source + event_id (not taken),
 * and a CSV header's columns the format does not list, which were ignored (empty for JSON, which refuses such a key).
 */
public record ImportResponse(long accepted, long duplicates, long rejected, List<EventIntake.Rejection> rejections,
        long changed, List<String> changedEvents,
        @Schema(description = "the CSV header's columns the format does not list, in its order: their values were "
                + "ignored (a misspelt margin_rte); empty for JSON, which refuses such a key")
        List<String> ignoredColumns) {
    static ImportResponse of(EventIntake.Summary summary) {
        return of(summary, List.of());
    }

    static ImportResponse of(EventIntake.Summary summary, List<String> ignoredColumns) {
        return new ImportResponse(summary.accepted(), summary.duplicates(), summary.rejected(), summary.rejections(),
                summary.changed(), summary.changedEvents(), ignoredColumns);
    }
}
