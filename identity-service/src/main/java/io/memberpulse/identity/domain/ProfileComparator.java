package io.memberpulse.identity.domain;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Scores one event against a candidate member, Fellegi–Sunter style: the sum of the log2 m/u
 * weights of each comparison's outcome (missing = 0). Only weak evidence is compared here; strong
 * identifiers decide before (IdentityGraph).
 */
final class ProfileComparator {
    /** How common a value is among members (term-frequency adjustment). */
    interface Frequencies {
        double storeShare(String store);

        double surnameShare(String surname);

        double maskedPhoneShare(String maskedKey);

        /** Whether only this candidate's member has used the device. */
        boolean exclusiveDevice(String device);
    }

    record Score(double total, List<String> reasons) {
    }

    private final MatchWeights weights;

    ProfileComparator(MatchWeights weights) {
        this.weights = weights;
    }

    Score score(EventEvidence event, MemberProfile candidate, Frequencies frequencies) {
        List<String> reasons = new ArrayList<>(6);
        double total = phone(event, candidate, frequencies, reasons);
        total += name(event, candidate, frequencies, reasons);
        total += address(event, candidate, reasons);
        if (event.storeId() != null && candidate.stores.contains(event.storeId())) {
            total += add(reasons, "store", "agree", log2(weights.storeM() / frequencies.storeShare(event.storeId())));
        }
        if (event.city() != null && !candidate.cities.isEmpty() && !candidate.cities.contains(event.city())) {
            total += add(reasons, "city", "disagree", weights.cityDisagree());
        }
        if (event.couponId() != null && candidate.coupons.contains(event.couponId())) {
            total += add(reasons, "coupon", "agree", weights.couponAgree());
        }
        for (Identifier identifier : event.identifiers()) {
            if (identifier.type() == IdentifierType.DEVICE_ID && candidate.devices.contains(identifier.value())
                    && frequencies.exclusiveDevice(identifier.value())) {
                total += add(reasons, "device_id", "agree", weights.deviceAgree());
            }
        }
        return new Score(total, reasons);
    }

    private double maskedAgree(String key, Frequencies frequencies) {
        return log2(weights.maskedPhoneM() / frequencies.maskedPhoneShare(key));
    }

    private double phone(EventEvidence event, MemberProfile candidate, Frequencies frequencies, List<String> reasons) {
        for (Identifier identifier : event.identifiers()) {
            if (identifier.type() == IdentifierType.MASKED_PHONE) {
                String key = IdentityGraph.maskedKey(identifier);
                if (key != null && candidate.maskedKeys.contains(key)) {
                    return add(reasons, "masked_phone", "agree", maskedAgree(key, frequencies));
                }
                return candidate.maskedKeys.isEmpty() ? 0 : add(reasons, "phone", "disagree", weights.phoneDisagree());
            }
            if (identifier.type() == IdentifierType.MISTYPED_PHONE) {
                if (oneSlipAtTheSameStore(event, identifier, candidate)) {
                    return add(reasons, "phone", "one edit at the same store", weights.phoneOneEditSameStore());
                }
                return candidate.fullPhones.isEmpty() ? 0 : add(reasons, "phone", "disagree", weights.phoneDisagree());
            }
            if (identifier.type() == IdentifierType.PHONE) {
                if (oneSlipAtTheSameStore(event, identifier, candidate)) {
                    return add(reasons, "phone", "one edit at the same store", weights.phoneOneEditSameStore());
                }
                String key = IdentityGraph.maskedKey(identifier);
                if (key != null && candidate.maskedKeys.contains(key) && candidate.fullPhones.stream()
                        .noneMatch(p -> key.equals(IdentityGraph.maskedKey(new Identifier(IdentifierType.PHONE, p))))) {
                    return add(reasons, "masked_phone", "agree", maskedAgree(key, frequencies));
                }
                return candidate.maskedKeys.isEmpty() ? 0 : add(reasons, "phone", "disagree", weights.phoneDisagree());
            }
        }
        return 0;
    }

    private static boolean oneSlipAtTheSameStore(EventEvidence event, Identifier phone, MemberProfile candidate) {
        if (event.storeId() == null || !candidate.stores.contains(event.storeId())) {
            return false;
        }
        for (String held : candidate.fullPhones) {
            if (oneSlipApart(held, phone.value())) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether two strings differ by exactly one keying slip: one character changed, dropped or added, or two
     * neighbours swapped (optimal string alignment distance 1; commons-text has no such distance).
     */
    static boolean oneSlipApart(String a, String b) {
        if (a.length() < b.length()) {
            return oneSlipApart(b, a);
        }
        int start = 0;
        while (start < b.length() && a.charAt(start) == b.charAt(start)) {
            start++;
        }
        if (a.length() == b.length() + 1) {
            return a.substring(start + 1).equals(b.substring(start));
        }
        if (a.length() != b.length() || start == a.length()) {
            return false;
        }
        if (a.substring(start + 1).equals(b.substring(start + 1))) {
            return true;
        }
        return start + 1 < a.length() && a.charAt(start) == b.charAt(start + 1) && a.charAt(start + 1) == b.charAt(start)
                && a.substring(start + 2).equals(b.substring(start + 2));
    }

    private double name(EventEvidence event, MemberProfile candidate, Frequencies frequencies, List<String> reasons) {
        Set<String> surnames = event.name().surnames();
        if (surnames.isEmpty() || candidate.surnames.isEmpty()) {
            return 0;
        }
        String agreed = surnames.stream().filter(candidate.surnames::contains).findFirst().orElse(null);
        if (agreed == null) {
            return add(reasons, "surname", "disagree", weights.surnameDisagree());
        }
        double total = add(reasons, "surname", "agree", log2(weights.surnameM() / frequencies.surnameShare(agreed)));
        if (event.name().fullNames().stream().anyMatch(candidate.fullNames::contains)) {
            total += add(reasons, "name", "agree", weights.fullNameAgree());
        }
        return total;
    }

    private double address(EventEvidence event, MemberProfile candidate, List<String> reasons) {
        ProfileNormalizer.AddressKey address = event.address();
        if (address.home() != null) {
            if (candidate.homes.contains(address.home())) {
                return add(reasons, "address", "agree", weights.homeAddressAgree());
            }
            return candidate.homes.isEmpty() ? 0 : add(reasons, "address", "disagree", weights.addressDisagree());
        }
        if (address.office() != null && candidate.offices.contains(address.office())) {
            return add(reasons, "address", "same office floor", weights.officeAddressAgree());
        }
        return 0;
    }

    private static double add(List<String> reasons, String field, String outcome, double weight) {
        reasons.add(String.format(java.util.Locale.ROOT, "%s %s (%+.1f)", field, outcome, weight));
        return weight;
    }

    static double log2(double x) {
        return Math.log(x) / Math.log(2);
    }
}
