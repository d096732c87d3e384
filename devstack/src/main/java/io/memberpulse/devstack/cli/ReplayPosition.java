package io.memberpulse.devstack.cli;

import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;

/**
 * How far one partition of a dead-letter topic has been replayed, as committed for the replay's consumer group: the
 * offset before which every record was re-sent, and the records re-sent above it (kept in the commit's metadata).
 * A {@code --reason} replay leaves the records it does not match where they are, for a later replay, while those it
 * re-sent above them must not be sent again: the committed offset alone cannot say both.
 */
final class ReplayPosition {
    /** Ahead of Kafka's default offset.metadata.max.bytes (4,096): a commit with more metadata is refused. */
    static final int MAX_METADATA_CHARS = 3_500;
    private static final String PREFIX = "replayed-above:";

    private long next;
    /** Ranges of offsets above {@code next} already re-sent, first offset to last (inclusive). */
    private final TreeMap<Long, Long> replayedAbove = new TreeMap<>();

    private ReplayPosition(long next) {
        this.next = next;
    }

    static ReplayPosition at(long next) {
        return new ReplayPosition(next);
    }

    /** The position a commit made (offset and metadata, as {@link #metadata()} wrote it). */
    static ReplayPosition committed(long offset, String metadata) {
        ReplayPosition position = new ReplayPosition(offset);
        if (metadata != null && metadata.startsWith(PREFIX) && metadata.length() > PREFIX.length()) {
            for (String range : metadata.substring(PREFIX.length()).split(",")) {
                int dash = range.indexOf('-');
                long from = Long.parseLong(dash < 0 ? range : range.substring(0, dash));
                long to = dash < 0 ? from : Long.parseLong(range.substring(dash + 1));
                position.replayedAbove.put(from, to);
            }
        }
        return position;
    }

    /** The first offset not yet re-sent: where a replay starts reading. */
    long next() {
        return next;
    }

    boolean wasReplayed(long offset) {
        if (offset < next) {
            return true;
        }
        Map.Entry<Long, Long> range = replayedAbove.floorEntry(offset);
        return range != null && range.getValue() >= offset;
    }

    /** Records the offset as re-sent. */
    void replayed(long offset) {
        if (wasReplayed(offset)) {
            return;
        }
        long from = offset;
        long to = offset;
        Map.Entry<Long, Long> below = replayedAbove.floorEntry(offset);
        if (below != null && below.getValue() == offset - 1) {
            from = below.getKey();
        }
        Long above = replayedAbove.get(offset + 1);
        if (above != null) {
            replayedAbove.remove(offset + 1);
            to = above;
        }
        replayedAbove.put(from, to);
        if (from == next) {
            replayedAbove.remove(from);
            next = to + 1;
        }
    }

    /** The records below the topic's first offset are gone (retention): nothing to wait for there. */
    void startNoEarlierThan(long beginning) {
        if (next >= beginning) {
            return;
        }
        next = beginning;
        Iterator<Map.Entry<Long, Long>> ranges = replayedAbove.entrySet().iterator();
        while (ranges.hasNext()) {
            Map.Entry<Long, Long> range = ranges.next();
            if (range.getValue() < next) {
                ranges.remove();
            } else if (range.getKey() <= next) {
                ranges.remove();
                next = range.getValue() + 1;
            }
        }
    }

    /** The ranges re-sent above {@link #next()}, for the commit ("" when none). */
    String metadata() {
        if (replayedAbove.isEmpty()) {
            return "";
        }
        StringBuilder out = new StringBuilder(PREFIX);
        replayedAbove.forEach((from, to) -> {
            if (out.length() > PREFIX.length()) {
                out.append(',');
            }
            out.append(from);
            if (!to.equals(from)) {
                out.append('-').append(to);
            }
        });
        return out.toString();
    }

    /** Whether the metadata still fits a commit with one more range. */
    boolean hasRoomForMore() {
        return metadata().length() + 42 <= MAX_METADATA_CHARS;
    }
}
