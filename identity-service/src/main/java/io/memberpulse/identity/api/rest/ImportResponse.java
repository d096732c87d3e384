package io.memberpulse.identity.api.rest;

import io.memberpulse.identity.api.EventIntake;
import java.util.List;

/** The answer to an import: counts, and the first rejections with their position, line and reason. */
public record ImportResponse(long accepted, long duplicates, long rejected, List<EventIntake.Rejection> rejections) {
    static ImportResponse of(EventIntake.Summary summary) {
        return new ImportResponse(summary.accepted(), summary.duplicates(), summary.rejected(), summary.rejections());
    }
}
