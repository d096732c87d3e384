package io.memberpulse.identity.domain;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What keeps stitching from over-merging.
 *
 * @param blockedValues          identifier values that never link (placeholders typed by staff), compared
 *                               by their normalised value and by their digits
 * @param maxStoresPerValue      a strong value seen at more distinct stores than this within {@code storesWindow}
 *                               before an event is a placeholder and quarantined; 0 = no limit
 * @param maxIdentitiesPerValue  a strong value seen with more distinct other strong identifiers than this, with more of
 *                               one type among them than {@code maxPerMember} allows that type, is quarantined
 *                               (they cannot be one person's); 0 = no limit
 * @param maxPerMember           how many values of one type a member may hold at one time (absent = no limit): a
 *                               value the member has not used for longer than {@code reissueGap} before an event
 *                               is a past holding and no longer counts (it still identifies the member)
 * @param reissueGap             a phone unused for longer than this that comes back with strong identifiers
 *                               of somebody else is treated as re-issued: it moves, the two people stay two
 *                               (and an event that long before its holder's first use, imported late, showing
 *                               somebody else's ids, is that person's, the phone staying with its holder);
 *                               a value unused that long no longer counts towards {@code maxPerMember}, nor an
 *                               identifier last seen with a value that long before towards
 *                               {@code maxIdentitiesPerValue};
 *                               null = phones are valid forever and every value ever held counts
 * @param storesWindow           only the stores a value was seen at within this long before an event count toward
 *                               {@code maxStoresPerValue} at it: a loyal member's phone gathers its stores over years,
 *                               a walk-in phone within weeks; null = every store ever seen counts
 */
public record StitchGuardrails(Set<String> blockedValues, int maxStoresPerValue, int maxIdentitiesPerValue,
        Map<IdentifierType, Integer> maxPerMember, Duration reissueGap, Duration storesWindow) {

    /** No guardrail at all: the plain deterministic stitching. */
    public static final StitchGuardrails NONE = new StitchGuardrails(Set.of(), 0, 0, Map.of(), null, null);

    /** The defaults of application.properties, for tests and tools. */
    public static final StitchGuardrails DEFAULTS = new StitchGuardrails(
            Set.of("13800000000", "00000000000", "11111111111", "13888888888", "18888888888", "13900000000",
                    "12345678901"),
            12, 8, limits(2, 1, 3, 3, 3, 3), Duration.ofDays(90), Duration.ofDays(90));

    public StitchGuardrails {
        blockedValues = Set.copyOf(Objects.requireNonNull(blockedValues, "blockedValues"));
        maxPerMember = Map.copyOf(Objects.requireNonNull(maxPerMember, "maxPerMember"));
        if (maxStoresPerValue < 0 || maxIdentitiesPerValue < 0) {
            throw new IllegalArgumentException("limits must not be negative");
        }
        if (reissueGap != null && reissueGap.isNegative()) {
            throw new IllegalArgumentException("reissueGap must not be negative");
        }
        if (storesWindow != null && storesWindow.isNegative()) {
            throw new IllegalArgumentException("storesWindow must not be negative");
        }
    }

    /** Per-type limits in the order member_no, union_id, phone, openid, platform_uid, email. */
    public static Map<IdentifierType, Integer> limits(int memberNo, int unionId, int phone, int openid, int platformUid,
            int email) {
        Map<IdentifierType, Integer> limits = new EnumMap<>(IdentifierType.class);
        limits.put(IdentifierType.MEMBER_NO, memberNo);
        limits.put(IdentifierType.UNION_ID, unionId);
        limits.put(IdentifierType.PHONE, phone);
        limits.put(IdentifierType.OPENID, openid);
        limits.put(IdentifierType.PLATFORM_UID, platformUid);
        limits.put(IdentifierType.EMAIL, email);
        return limits;
    }

    /** The ASCII digits of a value (no regular expression: this runs for every identifier of an import). */
    static String digitsOf(String value) {
        StringBuilder digits = new StringBuilder(value.length());
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c >= '0' && c <= '9') {
                digits.append(c);
            }
        }
        return digits.toString();
    }

    /** Whether a reported or normalised value is on the blocked list. */
    public boolean isBlocked(String value) {
        if (value == null || blockedValues.isEmpty()) {
            return false;
        }
        String trimmed = value.trim();
        if (blockedValues.contains(trimmed)) {
            return true;
        }
        String digits = digitsOf(trimmed);
        if (digits.isEmpty()) {
            return false;
        }
        // +8613800000000 and 13800000000 are the same placeholder
        return blockedValues.contains(digits) || digits.length() > 11 && blockedValues.contains(digits.substring(digits.length() - 11));
    }

    public int limitOf(IdentifierType type) {
        return maxPerMember.getOrDefault(type, 0);
    }
}
