package io.memberpulse.campaign.domain;

import java.time.Instant;
import java.util.Objects;

/** A member in an rfm-service segment now (member_segment), since their entry. */
public record SegmentMembership(String memberId, String segmentId, Instant since) {

    public SegmentMembership {
        Objects.requireNonNull(memberId, "memberId");
        Objects.requireNonNull(segmentId, "segmentId");
        Objects.requireNonNull(since, "since");
    }
}
