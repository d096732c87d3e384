package io.memberpulse.identity.api.rest;

import io.memberpulse.identity.api.EventIntake;
import java.util.List;

/**
 * The answer to an import: counts, the first rejections with their position, line and reason, and the first
 * duplicates that came with other content than the event first imported under their source + event_id (not taken).
 */
public record ImportResponse(long accepted, long duplicates, long rejected, List<EventIntake.Rejection> rejections,
        long changed, List<String> changedEvents) {
    static ImportResponse of(EventIntake.Summary summary) {
        return new ImportResponse(summary.accepted(), summary.duplicates(), summary.rejected(), summary.rejections(),
                summary.changed(), summary.changedEvents());
    }
}
