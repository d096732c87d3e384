package io.memberpulse.identity.domain;

import java.util.EnumMap;
import java.util.Map;
import java.util.Set;

/**
 * Everything a member's events said, for the weak-evidence comparisons and the per-type limits. One per
 * member, so its sets are compact ones: most hold one or two values, many none.
 */
final class MemberProfile {
    final Map<IdentifierType, Set<String>> held = new EnumMap<>(IdentifierType.class);
    final Set<String> maskedKeys = new CompactSet<>();
    final Set<String> fullPhones = new CompactSet<>();
    final Set<String> surnames = new CompactSet<>();
    final Set<String> fullNames = new CompactSet<>();
    final Set<String> homes = new CompactSet<>();
    final Set<String> offices = new CompactSet<>();
    final Set<String> stores = new CompactSet<>();
    final Set<String> cities = new CompactSet<>();
    final Set<String> devices = new CompactSet<>();
    final Set<String> coupons = new CompactSet<>();
    int events;

    Set<String> holdings(IdentifierType type) {
        return held.computeIfAbsent(type, t -> new CompactSet<>());
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
