package io.memberpulse.identity.domain;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Compares one event with a candidate member, Fellegi–Sunter style: each comparison reaches a level
 * (0 = no information), and the score is the sum of the log2 m/u weights of the levels reached. Only
 * weak evidence is compared here; strong identifiers decide before (IdentityGraph). The level vectors
 * are also what {@link FellegiSunterEstimator} learns the weights from.
 */
final class ProfileComparator {
    static final int PHONE = 0;
    static final int SURNAME = 1;
    static final int FULL_NAME = 2;
    static final int ADDRESS = 3;
    static final int STORE = 4;
    static final int CITY = 5;
    static final int DEVICE = 6;
    static final int COUPON = 7;
    /** Levels of each comparison, level 0 (no information) included. */
    static final int[] LEVELS = {4, 3, 3, 4, 3, 3, 3, 3};
    /** How each level reads in a merge's reasons (as the evidence API shows them). */
    static final String[][] LABELS = {
        {"", "masked_phone agree", "phone one edit at the same store", "phone disagree"},
        {"", "surname agree", "surname disagree"},
        {"", "name agree", "name disagree"},
        {"", "address agree", "address same office floor", "address disagree"},
        {"", "store agree", "store disagree"},
        {"", "city agree", "city disagree"},
        {"", "device_id agree", "device_id disagree"},
        {"", "coupon agree", "coupon disagree"},
    };
    static final int AGREE = 1;

    /** How common a value is among members (term-frequency adjustment). */
    interface Frequencies {
        double storeShare(String store);

        double surnameShare(String surname);

        double maskedPhoneShare(String maskedKey);

        /** Whether only this candidate's member has used the device. */
        boolean exclusiveDevice(String device);

        /** The city a store is in, as learned from the data, or null when not known. */
        default String cityOf(String store) {
            return null;
        }
    }

    /** The levels reached, with the agreed values that are term-frequency adjusted. */
    record Comparison(int[] levels, String maskedKey, String surname, String store) {
    }

    record Score(double total, List<String> reasons) {
    }

    private MatchWeights weights;

    ProfileComparator(MatchWeights weights) {
        this.weights = weights;
    }

    MatchWeights weights() {
        return weights;
    }

    void reweigh(MatchWeights weights) {
        this.weights = weights;
    }

    Score score(EventEvidence event, MemberProfile candidate, Frequencies frequencies) {
        return score(compare(event, null, candidate, frequencies), frequencies);
    }

    Score score(Comparison comparison, Frequencies frequencies) {
        List<String> reasons = new ArrayList<>(6);
        double total = 0;
        int[] levels = comparison.levels();
        for (int k = 0; k < levels.length; k++) {
            if (levels[k] == 0) {
                continue;
            }
            double weight = weight(k, levels[k], comparison, frequencies);
            if (weight != 0) {
                reasons.add(String.format(Locale.ROOT, "%s (%+.1f)", LABELS[k][levels[k]], weight));
                total += weight;
            }
        }
        return new Score(total, reasons);
    }

    private double weight(int comparison, int level, Comparison values, Frequencies frequencies) {
        return switch (comparison) {
            case PHONE -> level == AGREE ? log2(weights.maskedPhoneM() / frequencies.maskedPhoneShare(values.maskedKey()))
                    : level == 2 ? weights.phoneOneEditSameStore() : weights.phoneDisagree();
            case SURNAME -> level == AGREE ? log2(weights.surnameM() / frequencies.surnameShare(values.surname()))
                    : weights.surnameDisagree();
            case FULL_NAME -> level == AGREE ? weights.fullNameAgree() : 0;
            case ADDRESS -> level == AGREE ? weights.homeAddressAgree()
                    : level == 2 ? weights.officeAddressAgree() : weights.addressDisagree();
            case STORE -> level == AGREE ? log2(weights.storeM() / frequencies.storeShare(values.store())) : 0;
            case CITY -> level == AGREE ? weights.cityAgree() : weights.cityDisagree();
            case DEVICE -> level == AGREE ? weights.deviceAgree() : 0;
            case COUPON -> level == AGREE ? weights.couponAgree() : 0;
            default -> throw new IllegalArgumentException("no comparison " + comparison);
        };
    }

    /**
     * @param own the member the event already belongs to by its strong identifiers (null or empty for a
     *            new one): an event without a phone is compared by its member's phones, so that two
     *            members known by different phones are not linked on what a household shares
     */
    Comparison compare(EventEvidence event, MemberProfile own, MemberProfile candidate, Frequencies frequencies) {
        int[] levels = new int[LEVELS.length];
        String maskedKey = phone(event, candidate, levels);
        if (maskedKey == null && levels[PHONE] == 0 && own != null && !hasPhone(event)) {
            maskedKey = memberPhones(own, candidate, levels);
        }
        String surname = name(event, candidate, levels);
        address(event, candidate, levels);
        String store = null;
        if (event.storeId() != null && !candidate.stores.isEmpty()) {
            levels[STORE] = candidate.stores.contains(event.storeId()) ? AGREE : 2;
            store = event.storeId();
        }
        if (levels[STORE] != AGREE) { // at one store, one city says nothing more
            levels[CITY] = city(event, candidate, frequencies);
        }
        for (Identifier identifier : event.identifiers()) {
            if (identifier.type() == IdentifierType.DEVICE_ID && !candidate.devices.isEmpty()) {
                levels[DEVICE] = candidate.devices.contains(identifier.value())
                        && frequencies.exclusiveDevice(identifier.value()) ? AGREE : 2;
            }
        }
        if (event.couponId() != null && !candidate.coupons.isEmpty()) {
            levels[COUPON] = candidate.coupons.contains(event.couponId()) ? AGREE : 2;
        }
        return new Comparison(levels, maskedKey, surname, store);
    }

    /** The city level: the event's city (reported, else its store's) against the member's and its stores'. */
    private static int city(EventEvidence event, MemberProfile candidate, Frequencies frequencies) {
        String city = event.city() != null ? event.city() : frequencies.cityOf(event.storeId());
        if (city == null) {
            return 0;
        }
        boolean known = !candidate.cities.isEmpty();
        if (candidate.cities.contains(city)) {
            return AGREE;
        }
        for (String store : candidate.stores) {
            String storeCity = frequencies.cityOf(store);
            if (city.equals(storeCity)) {
                return AGREE;
            }
            known |= storeCity != null;
        }
        return known ? 2 : 0;
    }

    /** Sets the phone level; returns the agreed masked key, if any. */
    private static String phone(EventEvidence event, MemberProfile candidate, int[] levels) {
        for (Identifier identifier : event.identifiers()) {
            if (identifier.type() == IdentifierType.MASKED_PHONE) {
                String key = BlockingIndex.maskedKey(identifier);
                if (key != null && candidate.maskedKeys.contains(key)) {
                    levels[PHONE] = AGREE;
                    return key;
                }
                levels[PHONE] = candidate.maskedKeys.isEmpty() ? 0 : 3;
                return null;
            }
            if (identifier.type() == IdentifierType.MISTYPED_PHONE) {
                levels[PHONE] = oneSlipAtTheSameStore(event, identifier, candidate) ? 2
                        : candidate.fullPhones.isEmpty() ? 0 : 3;
                return null;
            }
            if (identifier.type() == IdentifierType.PHONE) {
                if (oneSlipAtTheSameStore(event, identifier, candidate)) {
                    levels[PHONE] = 2;
                    return null;
                }
                String key = BlockingIndex.maskedKey(identifier);
                if (key != null && candidate.maskedKeys.contains(key) && candidate.fullPhones.stream()
                        .noneMatch(p -> key.equals(BlockingIndex.maskedKey(new Identifier(IdentifierType.PHONE, p))))) {
                    levels[PHONE] = AGREE; // the candidate is known by this masked phone only
                    return key;
                }
                levels[PHONE] = candidate.maskedKeys.isEmpty() ? 0 : 3;
                return null;
            }
        }
        return null;
    }

    private static boolean hasPhone(EventEvidence event) {
        for (Identifier identifier : event.identifiers()) {
            switch (identifier.type()) {
                case PHONE, MASKED_PHONE, MISTYPED_PHONE -> {
                    return true;
                }
                default -> {
                }
            }
        }
        return false;
    }

    /**
     * Sets the phone level from the phones two members hold (full ones by their masked form): agree on a
     * masked form both hold unless each holds a different full number behind it, disagree when they share
     * none. Returns the agreed masked key, if any.
     */
    private static String memberPhones(MemberProfile own, MemberProfile candidate, int[] levels) {
        if (own.maskedKeys.isEmpty() || candidate.maskedKeys.isEmpty()) {
            return null;
        }
        for (String key : own.maskedKeys) {
            if (candidate.maskedKeys.contains(key) && !differentNumbersBehind(key, own, candidate)) {
                levels[PHONE] = AGREE;
                return key;
            }
        }
        levels[PHONE] = 3;
        return null;
    }

    private static boolean differentNumbersBehind(String key, MemberProfile a, MemberProfile b) {
        Set<String> fullA = numbersBehind(key, a);
        Set<String> fullB = numbersBehind(key, b);
        return !fullA.isEmpty() && !fullB.isEmpty() && fullA.stream().noneMatch(fullB::contains);
    }

    private static Set<String> numbersBehind(String key, MemberProfile member) {
        Set<String> numbers = new java.util.HashSet<>(2);
        for (String phone : member.fullPhones) {
            if (key.equals(BlockingIndex.maskedKey(new Identifier(IdentifierType.PHONE, phone)))) {
                numbers.add(phone);
            }
        }
        return numbers;
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

    /** Sets the surname and full-name levels; returns the agreed surname, if any. */
    private static String name(EventEvidence event, MemberProfile candidate, int[] levels) {
        Set<String> surnames = event.name().surnames();
        if (surnames.isEmpty() || candidate.surnames.isEmpty()) {
            return null;
        }
        String agreed = surnames.stream().filter(candidate.surnames::contains).findFirst().orElse(null);
        if (agreed == null) {
            levels[SURNAME] = 2;
            return null;
        }
        levels[SURNAME] = AGREE;
        if (!event.name().fullNames().isEmpty() && !candidate.fullNames.isEmpty()) {
            levels[FULL_NAME] = fullNamesAgree(event.name().fullNames(), candidate.fullNames) ? AGREE : 2;
        }
        return agreed;
    }

    /**
     * Whether any two of the full names (pinyin keys) are the same or close by Jaro–Winkler
     * ({@link SimilarityLevels#name} level 1 or 2): a typed name that differs by a slip still agrees.
     */
    private static boolean fullNamesAgree(Set<String> names, Set<String> candidateNames) {
        for (String name : names) {
            if (candidateNames.contains(name)) {
                return true;
            }
        }
        for (String name : names) {
            for (String candidateName : candidateNames) {
                int level = SimilarityLevels.name(name, candidateName);
                if (level == 1 || level == 2) {
                    return true;
                }
            }
        }
        return false;
    }

    private static void address(EventEvidence event, MemberProfile candidate, int[] levels) {
        ProfileNormalizer.AddressKey address = event.address();
        if (address.home() != null) {
            if (candidate.homes.contains(address.home())) {
                levels[ADDRESS] = AGREE;
            } else if (!candidate.homes.isEmpty()) {
                levels[ADDRESS] = 3;
            }
        } else if (address.office() != null && candidate.offices.contains(address.office())) {
            levels[ADDRESS] = 2;
        }
    }

    static double log2(double x) {
        return Math.log(x) / Math.log(2);
    }
}
