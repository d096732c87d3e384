package io.memberpulse.identity.domain;

import java.time.Instant;
import java.util.List;

/**
 * Why two members became one: the absorbed member now points at the surviving one.
 *
 * @param rule        the identifier type that bridged them (deterministic, score 1), "same_order" (two
 *                    members bought one order: its lines, refunds or reviews, or two channels' reports of it),
 *                    "personal_device" or "probabilistic"
 * @param identifiers the identifiers that caused it ("type:value")
 * @param reasons     the comparisons and their weights for a probabilistic link
 * @param eventKey    the event ("source:event_id") that brought the evidence
 */
public record MergeRecord(String survivingMemberId, String absorbedMemberId, String rule, double score,
        List<String> identifiers, List<String> reasons, String eventKey, Instant occurredAt) {
    public static final String PROBABILISTIC = "probabilistic";
    public static final String SAME_ORDER = "same_order";
    /** An anonymous visit's member joined the member whose own device it was seen on ({@link PersonalDevices}). */
    public static final String PERSONAL_DEVICE = "personal_device";

    public MergeRecord {
        identifiers = List.copyOf(identifiers);
        reasons = List.copyOf(reasons);
    }
}
