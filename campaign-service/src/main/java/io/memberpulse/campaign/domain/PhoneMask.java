package io.memberpulse.campaign.domain;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Phones as store staff see them: the first three and last four digits of the national number
 * (138****8000), as delivery platforms show them; only the last four of a shorter number (8 to 10 digits, ****4567),
 * so that at least four digits are hidden. Call lists show only this; the full number, kept where it was reported
 * unmasked, reaches a caller only through a recorded reveal of an OPEN task's contact (ContactRevealService).
 *
 * <p>A phone reported already masked is kept only when it shows no more than that: at most three digits, one run of
 * at least four stars, at most four digits (138****8000, 86138****8000 without its country code). Any other value
 * with a star ({@code 13800138000*}, {@code 1380013800*0}) is dropped: it may show nearly the whole number, and which
 * digits its stars stand for is unknown, so it cannot be masked again into this shape.
 */
public final class PhoneMask {
    private static final Pattern MASKED = Pattern.compile("[0-9]{0,3}\\*{4,}[0-9]{0,4}");

    private PhoneMask() {
    }

    public static Optional<String> mask(String reported) {
        if (reported == null || reported.isBlank()) {
            return Optional.empty();
        }
        String kept = reported.replaceAll("[^0-9*]", "");
        if (kept.contains("*")) {
            String masked = withoutCountryCode(kept);
            return masked.length() >= 7 && MASKED.matcher(masked).matches() ? Optional.of(masked) : Optional.empty();
        }
        String national = withoutCountryCode(kept);
        if (national.length() < 8) {
            return Optional.empty();
        }
        String lastFour = national.substring(national.length() - 4);
        // At least four digits stay hidden: below 11 digits the first three would leave fewer.
        return Optional.of(national.length() >= 11 ? national.substring(0, 3) + "****" + lastFour : "****" + lastFour);
    }

    /** Whether the phone was reported already masked (has a star): then there is no full number to keep. */
    public static boolean isMasked(String reported) {
        return reported.indexOf('*') >= 0;
    }

    /** 0086 or (before an 11-digit mobile number) 86. */
    private static String withoutCountryCode(String kept) {
        return kept.startsWith("0086") ? kept.substring(4)
                : kept.startsWith("86") && kept.length() == 13 ? kept.substring(2) : kept;
    }
}
