package io.memberpulse.rfm.domain;

import java.time.Instant;

/** A member of a segment, with when it entered it (null: a membership older than rfm's recording of entries). */
public record SegmentMember(RfmSnapshot snapshot, Instant enteredAt) {
}
