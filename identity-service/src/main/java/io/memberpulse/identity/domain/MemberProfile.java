package io.memberpulse.identity.domain;

import java.util.EnumMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/** Everything a member's events said, for the weak-evidence comparisons and the per-type limits. */
final class MemberProfile {
    final Map<IdentifierType, Set<String>> held = new EnumMap<>(IdentifierType.class);
    final Set<String> maskedKeys = new HashSet<>(2);
    final Set<String> fullPhones = new HashSet<>(2);
    final Set<String> surnames = new HashSet<>(2);
    final Set<String> fullNames = new HashSet<>(2);
    final Set<String> homes = new HashSet<>(2);
    final Set<String> offices = new HashSet<>(1);
    final Set<String> stores = new HashSet<>(2);
    final Set<String> cities = new HashSet<>(1);
    final Set<String> devices = new HashSet<>(1);
    final Set<String> coupons = new HashSet<>(1);
    int events;

    Set<String> holdings(IdentifierType type) {
        return held.computeIfAbsent(type, t -> new HashSet<>(2));
    }

    void absorb(MemberProfile other) {
        other.held.forEach((type, values) -> holdings(type).addAll(values));
        maskedKeys.addAll(other.maskedKeys);
        fullPhones.addAll(other.fullPhones);
        surnames.addAll(other.surnames);
        fullNames.addAll(other.fullNames);
        homes.addAll(other.homes);
        offices.addAll(other.offices);
        stores.addAll(other.stores);
        cities.addAll(other.cities);
        devices.addAll(other.devices);
        coupons.addAll(other.coupons);
        events += other.events;
    }
}
