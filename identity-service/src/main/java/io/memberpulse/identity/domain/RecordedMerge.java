package io.memberpulse.identity.domain;

import java.time.Instant;
import java.util.List;

/** A merge as recorded: its evidence id, the {@link MergeRecord} fields, when and whether a split undid it. */
public record RecordedMerge(String id, String survivingMemberId, String absorbedMemberId, String rule, double score,
        List<String> identifiers, List<String> reasons, String eventKey, Instant occurredAt, Instant mergedAt,
        String undoneBy) {
}
