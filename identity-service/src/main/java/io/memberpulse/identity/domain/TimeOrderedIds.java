package io.memberpulse.identity.domain;

import java.security.SecureRandom;
import java.util.UUID;

/**
 * Ids for new members and merge evidence: version 7 UUIDs, whose text starts with the creation time
 * in milliseconds. Every index keyed by a member id (member, member_identifier, channel_event by
 * member and time, member_merge) then receives a batch's new members next to each other at its
 * right-hand end, instead of one random leaf page per row: random UUIDs made each insert touch (and
 * after a checkpoint log in full) a page of an index that outgrows shared_buffers at a few million
 * events. The remaining 74 bits are random, as unguessable as before within a millisecond.
 */
public final class TimeOrderedIds {
    private static final SecureRandom RANDOM = new SecureRandom();

    private TimeOrderedIds() {
    }

    public static String next() {
        return of(System.currentTimeMillis(), RANDOM.nextLong(), RANDOM.nextLong()).toString();
    }

    /** The version 7 UUID of this millisecond and these random bits (all but the version and variant bits used). */
    static UUID of(long epochMillis, long randomA, long randomB) {
        long most = (epochMillis << 16) | 0x7000L | (randomA & 0x0FFFL);
        long least = (randomB & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L;
        return new UUID(most, least);
    }
}
