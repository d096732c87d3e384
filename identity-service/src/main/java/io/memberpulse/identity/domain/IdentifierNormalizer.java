package io.memberpulse.identity.domain;

import com.google.i18n.phonenumbers.NumberParseException;
import com.google.i18n.phonenumbers.PhoneNumberUtil;
import com.google.i18n.phonenumbers.Phonenumber.PhoneNumber;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * Turns reported identifiers into comparable ones: phones in any notation to E.164 (libphonenumber),
 * masked phones such as {@code 138****8000} kept as a weak key, a phone one keying slip away from a valid
 * number (a digit dropped, added or mistyped at the till) kept as weak evidence, e-mails lower-cased, the
 * rest trimmed. Anything further from a phone number is rejected.
 */
public final class IdentifierNormalizer {
    private static final PhoneNumberUtil PHONES = PhoneNumberUtil.getInstance();
    private static final Pattern MASKED_PHONE = Pattern.compile("\\+?[0-9 ()-]*\\*+[0-9 ()-]*");
    /**
     * Text, an @, and a domain holding a dot that is neither its first nor its last character. The domain was
     * {@code [^@\s]+\.[^@\s]+}: the same addresses, but tried with every dot against every later character
     * (quadratic: "a@b.b.b…@" of 64 KB took seconds); split at its first dot after the first character, it is decided
     * in one pass.
     */
    private static final Pattern EMAIL = Pattern.compile("[^@\\s]+@[^@\\s][^@\\s.]*\\.[^@\\s]+");

    private final String defaultRegion;
    private final Predicate<String> blocked;

    public IdentifierNormalizer(String defaultRegion) {
        this(defaultRegion, value -> false);
    }

    /**
     * @param blocked placeholder values staff type for guests (e.g. 00000000000): such a phone is kept
     *                as its digits, never rejected as invalid, so the stitcher can quarantine it and the
     *                row's other identifiers still count
     */
    public IdentifierNormalizer(String defaultRegion, Predicate<String> blocked) {
        if (!PHONES.getSupportedRegions().contains(defaultRegion)) {
            throw new IllegalArgumentException("unknown phone region " + defaultRegion);
        }
        this.defaultRegion = defaultRegion;
        this.blocked = Objects.requireNonNull(blocked, "blocked");
    }

    /**
     * All present identifiers, normalised; throws {@link InvalidIdentifierException} for a bad value. Its message names
     * the field and the rule, never the value: it reaches logs, rejected-row reports and dead-letter headers, which are
     * not meant to hold phones and e-mail addresses (the row or record is named beside it).
     */
    public List<Identifier> normalize(RawIdentifiers raw) {
        List<Identifier> identifiers = new ArrayList<>(4);
        if (!RawIdentifiers.blank(raw.phone())) {
            identifiers.add(phone(raw.phone()));
        }
        addTrimmed(identifiers, IdentifierType.UNION_ID, raw.unionId());
        addTrimmed(identifiers, IdentifierType.OPENID, raw.openid());
        addTrimmed(identifiers, IdentifierType.MEMBER_NO, raw.memberNo());
        addTrimmed(identifiers, IdentifierType.DEVICE_ID, raw.deviceId());
        addTrimmed(identifiers, IdentifierType.PLATFORM_UID, raw.platformUid());
        if (!RawIdentifiers.blank(raw.email())) {
            String email = raw.email().trim().toLowerCase(Locale.ROOT);
            if (!EMAIL.matcher(email).matches()) {
                throw new InvalidIdentifierException("email", "not an e-mail address");
            }
            identifiers.add(new Identifier(IdentifierType.EMAIL, email));
        }
        return identifiers;
    }

    /** A full phone in E.164, or a masked phone as its digits and stars. */
    public Identifier phone(String reported) {
        String trimmed = reported.trim();
        if (MASKED_PHONE.matcher(trimmed).matches()) {
            return new Identifier(IdentifierType.MASKED_PHONE, trimmed.replaceAll("[^0-9*]", ""));
        }
        if (blocked.test(trimmed)) {
            String digits = trimmed.replaceAll("[^0-9]", "");
            return new Identifier(IdentifierType.PHONE, digits.isEmpty() ? trimmed : digits);
        }
        try {
            PhoneNumber number = PHONES.parse(trimmed, defaultRegion);
            if (PHONES.isValidNumber(number)) {
                return new Identifier(IdentifierType.PHONE, PHONES.format(number, PhoneNumberUtil.PhoneNumberFormat.E164));
            }
            String national = PHONES.getNationalSignificantNumber(number);
            if (oneSlipFromValid(number.getCountryCode(), national)) {
                // weak evidence, never a key: compared with members' phones one slip away
                return new Identifier(IdentifierType.MISTYPED_PHONE, "+" + number.getCountryCode() + national);
            }
            throw new InvalidIdentifierException("phone", "not a valid phone number");
        } catch (NumberParseException e) {
            throw new InvalidIdentifierException("phone", "not a phone number (" + e.getErrorType() + ")");
        }
    }

    /**
     * Whether one keying slip in the national number (a digit dropped, added, changed, or two neighbours
     * swapped) turns it into a valid mobile number.
     */
    static boolean oneSlipFromValid(int countryCode, String national) {
        String prefix = "+" + countryCode;
        for (String variant : oneSlipVariants(national)) {
            if (valid(prefix + variant)) {
                return true;
            }
        }
        return false;
    }

    private static List<String> oneSlipVariants(String digits) {
        List<String> variants = new ArrayList<>(digits.length() * 20 + 20);
        for (int i = 0; i <= digits.length(); i++) {
            String head = digits.substring(0, i);
            for (char digit = '0'; digit <= '9'; digit++) {
                variants.add(head + digit + digits.substring(i));
                if (i < digits.length() && digits.charAt(i) != digit) {
                    variants.add(head + digit + digits.substring(i + 1));
                }
            }
            if (i < digits.length()) {
                variants.add(head + digits.substring(i + 1));
            }
            if (i + 1 < digits.length()) {
                variants.add(head + digits.charAt(i + 1) + digits.charAt(i) + digits.substring(i + 2));
            }
        }
        return variants;
    }

    /** A valid mobile number: what members give, and so what a till typo slipped from. */
    private static boolean valid(CharSequence e164) {
        try {
            PhoneNumber number = PHONES.parse(e164, "ZZ");
            PhoneNumberUtil.PhoneNumberType type = PHONES.getNumberType(number);
            return (type == PhoneNumberUtil.PhoneNumberType.MOBILE
                    || type == PhoneNumberUtil.PhoneNumberType.FIXED_LINE_OR_MOBILE) && PHONES.isValidNumber(number);
        } catch (NumberParseException e) {
            return false;
        }
    }

    private static void addTrimmed(List<Identifier> identifiers, IdentifierType type, String value) {
        if (!RawIdentifiers.blank(value)) {
            identifiers.add(new Identifier(type, value.trim()));
        }
    }
}
