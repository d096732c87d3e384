package io.memberpulse.campaign.domain;

import java.util.Optional;

/**
 * Phones as store staff see them: the first three and last four digits of the national number
 * (138****8000), as delivery platforms show them. The full number never reaches campaign-service's
 * database or its callers.
 */
public final class PhoneMask {
    private PhoneMask() {
    }

    public static Optional<String> mask(String reported) {
        if (reported == null || reported.isBlank()) {
            return Optional.empty();
        }
        String kept = reported.replaceAll("[^0-9*]", "");
        if (kept.contains("*")) {
            return kept.length() >= 7 ? Optional.of(kept) : Optional.empty();
        }
        String national = kept.startsWith("0086") ? kept.substring(4)
                : kept.startsWith("86") && kept.length() == 13 ? kept.substring(2) : kept;
        if (national.length() < 8) {
            return Optional.empty();
        }
        return Optional.of(national.substring(0, 3) + "****" + national.substring(national.length() - 4));
    }
}
