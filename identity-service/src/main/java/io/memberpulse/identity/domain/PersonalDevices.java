package io.memberpulse.identity.domain;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * Whose own device each device is. A device is weak evidence: a family tablet or a store kiosk is used by
 * several people. But one that a single member alone has used, with strong identifiers, on several
 * distinct days is that member's own (a personal phone): on a tablet of k people the first n identified
 * days all fall to one of them with chance about (1/k)^(n-1). Only then does a visit that shows nothing
 * but the device (an anonymous app session) belong to that member; such visits seen before the device
 * was known as personal wait here until it is. Two identified members are never merged on a device.
 */
final class PersonalDevices {
    /** Identified users kept per device; a device used by more members than this is shared for good. */
    private static final int MAX_USERS = 4;
    /** Anonymous members kept waiting per device (a kiosk is found shared long before). */
    private static final int MAX_WAITING = 16;
    private static final long SECONDS_PER_DAY = 86_400;

    private final int minDays;
    private final Map<String, Use> uses = new HashMap<>();

    private static final class Use {
        Set<String> users = new CompactSet<>(); // null once shared by more than MAX_USERS members
        final Set<Long> days = new CompactSet<>();
        List<String> waiting;
    }

    /** @param minDays distinct days (UTC) of use by one member alone before a device is theirs; 0 = never */
    PersonalDevices(int minDays) {
        if (minDays < 0) {
            throw new IllegalArgumentException("minDays must not be negative");
        }
        this.minDays = minDays;
    }

    boolean enabled() {
        return minDays > 0;
    }

    /** A use of the device by a member known by strong identifiers. */
    void identifiedUse(String device, String member, Instant at) {
        if (!enabled()) {
            return;
        }
        Use use = uses.computeIfAbsent(device, d -> new Use());
        if (use.users == null) {
            return;
        }
        use.users.add(member);
        if (use.users.size() > MAX_USERS) {
            use.users = null;
            use.waiting = null;
            return;
        }
        if (at != null && use.days.size() < minDays) {
            use.days.add(at.getEpochSecond() / SECONDS_PER_DAY);
        }
    }

    /**
     * The member whose own device this is, or null: used by one member alone (members merged since count
     * as one) on at least the minimum of days.
     */
    String owner(String device, UnaryOperator<String> root) {
        Use use = enabled() ? uses.get(device) : null;
        if (use == null || use.users == null || use.days.size() < minDays) {
            return null;
        }
        String owner = null;
        for (String user : use.users) {
            String current = root.apply(user);
            if (owner != null && !owner.equals(current)) {
                return null;
            }
            owner = current;
        }
        return owner;
    }

    /**
     * Whether the uses of these devices by these members can be forgotten: no other member used one of them with strong
     * identifiers too (the days kept are not told apart by member), and none is shared for good (who shared it is no
     * longer known).
     */
    boolean forgettable(Set<String> devices, java.util.function.Predicate<String> isMember) {
        for (String device : devices) {
            Use use = uses.get(device);
            if (use == null) {
                continue;
            }
            if (use.users == null) {
                return false;
            }
            boolean theirs = false;
            boolean others = false;
            for (String user : use.users) {
                if (isMember.test(user)) {
                    theirs = true;
                } else {
                    others = true;
                }
            }
            if (theirs && others) {
                return false;
            }
        }
        return true;
    }

    /** Forgets these members' uses of these devices (see {@link #forgettable}): as if they never used them. */
    void forget(Set<String> devices, Set<String> members) {
        for (String device : devices) {
            Use use = uses.get(device);
            if (use == null) {
                continue;
            }
            if (use.users != null && use.users.removeAll(members) && use.users.isEmpty()) {
                use.days.clear();
            }
            if (use.waiting != null && use.waiting.removeAll(members) && use.waiting.isEmpty()) {
                use.waiting = null;
            }
            if (use.users != null && use.users.isEmpty() && use.waiting == null) {
                uses.remove(device); // nobody else's: as never seen
            }
        }
    }

    /** Every device's users (current members), days and waiting members, one line each: for tests. */
    List<String> describe(UnaryOperator<String> root) {
        List<String> lines = new ArrayList<>();
        uses.forEach((device, use) -> {
            java.util.TreeSet<String> users = null;
            if (use.users != null) {
                users = new java.util.TreeSet<>();
                for (String user : use.users) {
                    users.add(root.apply(user));
                }
            }
            lines.add("device " + device + " users " + users + " days " + new java.util.TreeSet<>(use.days)
                    + " waiting " + use.waiting);
        });
        return lines;
    }

    /** An anonymous member (the device its only identifier) that waits for the device to prove personal. */
    void waitFor(String device, String member) {
        if (!enabled()) {
            return;
        }
        Use use = uses.computeIfAbsent(device, d -> new Use());
        if (use.users == null) {
            return;
        }
        if (use.waiting == null) {
            use.waiting = new ArrayList<>(2);
        }
        if (use.waiting.size() < MAX_WAITING) {
            use.waiting.add(member);
        }
    }

    /** The members waiting on a device that is now someone's own; they wait no longer. */
    List<String> takeWaiting(String device, UnaryOperator<String> root) {
        Use use = uses.get(device);
        if (use == null || use.waiting == null || owner(device, root) == null) {
            return List.of();
        }
        List<String> waiting = use.waiting;
        use.waiting = null;
        return waiting;
    }
}
