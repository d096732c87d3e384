package io.memberpulse.identity.domain;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * The blocking keys of the probabilistic pass: which members showed a masked phone, a phone one edit
 * away, a device, a home address or a coupon. Probabilistic linking compares an event only with the
 * members these keys find, not with everyone. Entries name the member that showed the key; lookups
 * resolve them to their current member through the graph's {@code root}, so a merge touches no entry.
 */
final class BlockingIndex {
    /** A key shared by more members than this says nothing about any of them. */
    private static final int MAX_CANDIDATES_PER_KEY = 20;

    private final UnaryOperator<String> root;
    private final Map<String, Set<String>> masked = new HashMap<>();
    private final Map<String, Set<String>> homes = new HashMap<>();
    private final Map<String, Set<String>> devices = new HashMap<>();
    private final Map<String, Set<String>> phoneEdits = new HashMap<>();
    private final Map<String, Set<String>> coupons = new HashMap<>();

    BlockingIndex(UnaryOperator<String> root) {
        this.root = root;
    }

    /** Indexes the keys an event shows under its member, recording them in the member's profile as well. */
    void add(String member, EventEvidence event, MemberProfile profile, Predicate<Identifier> quarantined) {
        for (Identifier identifier : event.identifiers()) {
            switch (identifier.type()) {
                case MASKED_PHONE -> index(masked, maskedKey(identifier), member, profile.maskedKeys);
                case PHONE -> {
                    if (!quarantined.test(identifier) && profile.fullPhones.add(identifier.value())) {
                        index(masked, maskedKey(identifier), member, profile.maskedKeys);
                        for (String key : deletionKeys(identifier.value())) {
                            phoneEdits.computeIfAbsent(key, k -> new CompactSet<>()).add(member);
                        }
                    }
                }
                case DEVICE_ID -> index(devices, identifier.value(), member, profile.devices);
                default -> {
                }
            }
        }
        if (event.address().home() != null) {
            index(homes, event.address().home(), member, profile.homes);
        }
        if (event.couponId() != null) {
            index(coupons, event.couponId(), member, profile.coupons);
        }
    }

    /**
     * The current members an event's keys find, each with the comparisons whose keys found it (a bit
     * each, ProfileComparator's numbering).
     *
     * @param phoneOwner the current member holding a full phone number, or null
     */
    Map<String, Integer> candidates(EventEvidence event, Predicate<Identifier> quarantined, Function<String, String> phoneOwner) {
        Map<String, Integer> found = new LinkedHashMap<>();
        int phone = ProfileComparator.PHONE;
        for (Identifier identifier : event.identifiers()) {
            switch (identifier.type()) {
                case MASKED_PHONE -> addCandidates(found, masked.get(maskedKey(identifier)), phone);
                case PHONE -> {
                    if (!quarantined.test(identifier)) {
                        addCandidates(found, masked.get(maskedKey(identifier)), phone);
                        for (String key : deletionKeys(identifier.value())) {
                            addCandidates(found, phoneEdits.get(key), phone);
                        }
                    }
                }
                case MISTYPED_PHONE -> {
                    addCandidates(found, phoneEdits.get(identifier.value()), phone); // a digit dropped
                    for (String key : deletionKeys(identifier.value())) {
                        addCandidates(found, phoneEdits.get(key), phone); // a digit substituted or transposed
                        String owner = phoneOwner.apply(key); // a digit added
                        if (owner != null) {
                            found.merge(owner, 1 << phone, (x, y) -> x | y);
                        }
                    }
                }
                case DEVICE_ID -> addCandidates(found, devices.get(identifier.value()), ProfileComparator.DEVICE);
                default -> {
                }
            }
        }
        if (event.address().home() != null) {
            addCandidates(found, homes.get(event.address().home()), ProfileComparator.ADDRESS);
        }
        if (event.couponId() != null) {
            addCandidates(found, coupons.get(event.couponId()), ProfileComparator.COUPON);
        }
        return found;
    }

    /** How many current members showed this masked phone. */
    int membersWithMaskedKey(String maskedKey) {
        Set<String> members = masked.get(maskedKey);
        if (members == null) {
            return 0;
        }
        Set<String> roots = new HashSet<>();
        for (String member : members) {
            roots.add(root.apply(member));
        }
        return roots.size();
    }

    /** Whether one current member alone has used this device. */
    boolean exclusiveDevice(String device) {
        Set<String> users = devices.get(device);
        if (users == null) {
            return false;
        }
        String only = null;
        for (String user : users) {
            String current = root.apply(user);
            if (only != null && !only.equals(current)) {
                return false;
            }
            only = current;
        }
        return true;
    }

    private void addCandidates(Map<String, Integer> found, Set<String> members, int comparison) {
        if (members == null) {
            return;
        }
        Set<String> roots = new HashSet<>();
        for (String member : members) {
            roots.add(root.apply(member));
            if (roots.size() > MAX_CANDIDATES_PER_KEY) {
                return;
            }
        }
        for (String current : roots) {
            found.merge(current, 1 << comparison, (x, y) -> x | y);
        }
    }

    /**
     * Takes these members (a person: a member and those merged into it) out of the keys their profile records, but for
     * coupons (an erased member's events keep their coupon ids).
     */
    void remove(Set<String> members, MemberProfile profile) {
        for (String key : profile.maskedKeys) {
            remove(masked, key, members);
        }
        for (String key : profile.homes) {
            remove(homes, key, members);
        }
        for (String key : profile.devices) {
            remove(devices, key, members);
        }
        for (String phone : profile.fullPhones) {
            for (String key : deletionKeys(phone)) {
                remove(phoneEdits, key, members);
            }
        }
    }

    private static void remove(Map<String, Set<String>> index, String key, Set<String> members) {
        Set<String> found = index.get(key);
        if (found != null && found.removeAll(members) && found.isEmpty()) {
            index.remove(key);
        }
    }

    /** Every key with the current members it finds, one line each: for comparing two graphs in tests. */
    List<String> describe() {
        List<String> lines = new ArrayList<>();
        describe("masked", masked, lines);
        describe("home", homes, lines);
        describe("device", devices, lines);
        describe("phone-edit", phoneEdits, lines);
        describe("coupon", coupons, lines);
        return lines;
    }

    private void describe(String name, Map<String, Set<String>> index, List<String> lines) {
        index.forEach((key, members) -> {
            java.util.TreeSet<String> roots = new java.util.TreeSet<>();
            members.forEach(member -> roots.add(root.apply(member)));
            lines.add("blocking " + name + " " + key + " " + roots);
        });
    }

    private static void index(Map<String, Set<String>> index, String key, String member, Set<String> own) {
        if (key != null && own.add(key)) {
            index.computeIfAbsent(key, k -> new CompactSet<>()).add(member);
        }
    }

    /** A phone as its masked form's key: the first three and last four digits of the national number. */
    static String maskedKey(Identifier phone) {
        StringBuilder kept = new StringBuilder(16);
        for (char c : phone.value().toCharArray()) {
            if (c >= '0' && c <= '9' || c == '*') {
                kept.append(c);
            }
        }
        String digits = kept.toString();
        if (digits.startsWith("86") && (phone.type() == IdentifierType.PHONE ? digits.length() == 13 : digits.indexOf('*') > 4)) {
            digits = digits.substring(2);
        }
        if (phone.type() == IdentifierType.PHONE && digits.length() != 11 || digits.length() < 7) {
            return null;
        }
        return digits.substring(0, 3) + "*" + digits.substring(digits.length() - 4);
    }

    /** The phone with each digit left out in turn: two phones one substitution, transposition or drop apart share one. */
    static List<String> deletionKeys(String phone) {
        List<String> keys = new ArrayList<>(phone.length());
        for (int i = 0; i < phone.length(); i++) {
            keys.add(phone.substring(0, i) + phone.substring(i + 1));
        }
        return keys;
    }
}
