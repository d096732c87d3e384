package io.memberpulse.identity.domain;

import com.google.i18n.phonenumbers.NumberParseException;
import com.google.i18n.phonenumbers.PhoneNumberUtil;
import com.google.i18n.phonenumbers.Phonenumber.PhoneNumber;
import java.util.regex.Pattern;

/**
 * Identifiers as anyone but a data steward reads them: enough to tell two apart or recognise one already known, too
 * little to call, message or look up the person. Phones as campaign-service's call lists show them (its PhoneMask), with
 * the country code in front: the first three and last four digits of the national number (+86 138****8000), only the
 * last four of a shorter one (+852 ****4567), none below eight digits, so that at least four stay hidden. E-mails keep
 * their domain and the first letter of a local part of three or more (a***@example.com). Opaque ids (UnionID, openid,
 * device, platform uid) show at most a quarter of their characters, half at each end, never more than four at either
 * (oVx****tUv), and "****" stands for any hidden run, so that the length is not told either.
 *
 * <p>Member numbers are shown as they are: the chain issues them itself, store staff type them into the POS to find a
 * member, campaign-service puts them on call lists and the launcher's summary prints them. Alone they call or message
 * nobody; masking them would send every routine cross-check with the POS through a steward's reveal.
 */
public final class IdentifierMask {
    private static final PhoneNumberUtil PHONES = PhoneNumberUtil.getInstance();
    private static final String HIDDEN = "****";
    /** At most three digits, one run of at least four stars, at most four digits: what a mask shows, no more. */
    private static final Pattern SAFELY_MASKED = Pattern.compile("[0-9]{0,3}\\*{4,}[0-9]{0,4}");

    private IdentifierMask() {
    }

    public static String mask(IdentifierType type, String value) {
        return switch (type) {
            case MEMBER_NO -> value;
            case PHONE, MISTYPED_PHONE -> phone(value);
            case MASKED_PHONE -> maskedPhone(value);
            case EMAIL -> email(value);
            case UNION_ID, OPENID, PLATFORM_UID, DEVICE_ID -> opaque(value);
        };
    }

    /**
     * A merge's evidence entry, "type:value": the value masked as its type's. Order and event keys ("order:pos:o-1",
     * "event:pos:e-1") name no person and stay; an entry of any other kind is masked as an opaque id.
     */
    public static String maskEvidence(String entry) {
        int colon = entry.indexOf(':');
        if (colon < 0) {
            return opaque(entry);
        }
        String kind = entry.substring(0, colon);
        String value = entry.substring(colon + 1);
        if (kind.equals("order") || kind.equals("event")) {
            return entry;
        }
        return kind + ":" + IdentifierType.fromCode(kind).map(type -> mask(type, value)).orElseGet(() -> opaque(value));
    }

    /** The view with every identifier value masked: held, past and quarantined ones. */
    public static MemberView masked(MemberView view) {
        return new MemberView(view.memberId(), view.createdAt(), view.mergedInto(), view.eventCount(),
                view.identifiers().stream().map(IdentifierMask::masked).toList(),
                view.pastIdentifiers().stream().map(p -> new MemberView.PastIdentifier(p.type(), mask(p.type(), p.value()),
                        p.firstSeen(), p.lastSeen(), p.endedAt())).toList(),
                view.quarantinedIdentifiers().stream().map(IdentifierMask::masked).toList());
    }

    /** The merge with its evidence identifiers masked; its reasons name comparisons, never values, and stay. */
    public static RecordedMerge masked(RecordedMerge merge) {
        return new RecordedMerge(merge.id(), merge.survivingMemberId(), merge.absorbedMemberId(), merge.rule(),
                merge.score(), merge.identifiers().stream().map(IdentifierMask::maskEvidence).toList(), merge.reasons(),
                merge.eventKey(), merge.occurredAt(), merge.mergedAt(), merge.undoneBy());
    }

    private static MemberView.LinkedIdentifier masked(MemberView.LinkedIdentifier identifier) {
        return new MemberView.LinkedIdentifier(identifier.type(), mask(identifier.type(), identifier.value()),
                identifier.firstSeen(), identifier.lastSeen());
    }

    /** E.164 (a mistyped phone: + country code and its digits), or a quarantined placeholder kept as its digits. */
    private static String phone(String value) {
        if (!value.startsWith("+")) {
            return national(value.replaceAll("[^0-9]", ""));
        }
        try {
            PhoneNumber number = PHONES.parse(value, "ZZ");
            return "+" + number.getCountryCode() + " " + national(PHONES.getNationalSignificantNumber(number));
        } catch (NumberParseException e) {
            return HIDDEN;
        }
    }

    private static String national(String digits) {
        if (digits.length() < 8) {
            return HIDDEN;
        }
        String lastFour = digits.substring(digits.length() - 4);
        return digits.length() >= 11 ? digits.substring(0, 3) + HIDDEN + lastFour : HIDDEN + lastFour;
    }

    /** Reported masked (digits and stars): kept when it shows no more than a mask would, else nothing of it. */
    private static String maskedPhone(String value) {
        String national = value.startsWith("0086") ? value.substring(4) : value.startsWith("86") ? value.substring(2) : value;
        if (SAFELY_MASKED.matcher(value).matches()) {
            return value;
        }
        return SAFELY_MASKED.matcher(national).matches() ? national : HIDDEN;
    }

    private static String email(String value) {
        int at = value.lastIndexOf('@');
        if (at < 0) {
            return HIDDEN;
        }
        String local = value.substring(0, at);
        return (local.length() >= 3 ? local.substring(0, 1) : "") + "***" + value.substring(at);
    }

    private static String opaque(String value) {
        int shown = Math.min(4, value.length() / 8);
        return shown == 0 ? HIDDEN : value.substring(0, shown) + HIDDEN + value.substring(value.length() - shown);
    }
}
