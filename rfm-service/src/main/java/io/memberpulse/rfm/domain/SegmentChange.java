package io.memberpulse.rfm.domain;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** A member entering or leaving a segment, at an event-time instant. */
public record SegmentChange(String memberId, String segmentId, boolean entered, Instant at, String homeStoreId) {

    /** The entries and exits between two memberships. */
    public static List<SegmentChange> between(String memberId, Set<String> before, Set<String> after, Instant at,
            String homeStoreId) {
        List<SegmentChange> changes = new ArrayList<>();
        for (String segment : after) {
            if (!before.contains(segment)) {
                changes.add(new SegmentChange(memberId, segment, true, at, homeStoreId));
            }
        }
        for (String segment : before) {
            if (!after.contains(segment)) {
                changes.add(new SegmentChange(memberId, segment, false, at, homeStoreId));
            }
        }
        return changes;
    }
}
