package io.memberpulse.identity.domain;

import com.fasterxml.uuid.Generators;
import com.fasterxml.uuid.impl.TimeBasedEpochGenerator;

/**
 * Ids for new members and merge evidence: version 7 UUIDs (RFC 9562), whose text starts with the
 * creation time in milliseconds. Every index keyed by a member id (member, member_identifier,
 * channel_event by member and time, member_merge) then receives a batch's new members next to each
 * other at its right-hand end, instead of one random leaf page per row: random UUIDs made each insert
 * touch (and after a checkpoint log in full) a page of an index that outgrows shared_buffers at a few
 * million events. The generator (java-uuid-generator) keeps ids of one millisecond increasing and
 * the rest of the bits random.
 */
public final class TimeOrderedIds {
    private static final TimeBasedEpochGenerator GENERATOR = Generators.timeBasedEpochGenerator();

    private TimeOrderedIds() {
    }

    public static String next() {
        return GENERATOR.generate().toString();
    }
}
