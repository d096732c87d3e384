package io.memberpulse.identity.api.rest;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.HashSet;
import java.util.Set;

/**
 * A JSON body with every string cut to its first {@link #MAX_STRING_BYTES} bytes, as it streams to the parser, and
 * the cut ones remembered by where they begin. No column accepts a value that long (review_text, the longest, takes
 * 4,000 characters, at most 6 bytes each as a JSON escape), so a cut value is refused as its row, naming its limit, and
 * the rows after it are read on: Jackson's own limit (20,000,000 characters) stops the whole parse, and holds up to
 * that much before it does. The cut falls between characters and escapes, so what the parser sees is still JSON.
 */
final class JsonStringCap extends FilterInputStream {
    static final int MAX_STRING_BYTES = 65_536;

    private final Set<Long> cutStrings = new HashSet<>();
    private final byte[] one = new byte[1];
    private long passed;
    private boolean inString;
    private long stringStart;
    private int stringBytes;
    private boolean cutting;
    private boolean escaped;
    private int hexDigitsLeft;

    JsonStringCap(InputStream body) {
        super(body);
    }

    /**
     * Whether the string whose opening quote is at this offset (of the bytes passed on) was cut: known once the parser
     * has read it (a string token's text is read lazily, after the token is returned).
     */
    boolean wasCut(long quoteOffset) {
        return cutStrings.contains(quoteOffset);
    }

    @Override
    public int read() throws IOException {
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        if (length == 0) {
            return 0;
        }
        while (true) {
            int n = in.read(buffer, offset, length);
            if (n < 0) {
                return -1;
            }
            int kept = offset;
            for (int i = offset; i < offset + n; i++) {
                if (keep(buffer[i])) {
                    buffer[kept++] = buffer[i];
                    passed++;
                }
            }
            if (kept > offset) {
                return kept - offset;
            }
            // all of it was the inside of a cut string: read on rather than answer 0
        }
    }

    @Override
    public long skip(long n) throws IOException {
        throw new IOException("a capped JSON body is read, not skipped");
    }

    @Override
    public boolean markSupported() {
        return false;
    }

    /** Follows strings and their escapes; false for the bytes of a string past its cut. */
    private boolean keep(byte b) {
        if (!inString) {
            if (b == '"') {
                inString = true;
                stringStart = passed;
                stringBytes = 0;
                cutting = false;
            }
            return true;
        }
        if (escaped) {
            escaped = false;
            hexDigitsLeft = b == 'u' ? 4 : 0;
            return counted();
        }
        if (hexDigitsLeft > 0) {
            hexDigitsLeft--;
            return counted();
        }
        if (b == '"') {
            inString = false;
            return true;
        }
        // a cut only before a character's first byte (not a UTF-8 continuation byte) and outside an escape
        if (!cutting && stringBytes >= MAX_STRING_BYTES && (b & 0xC0) != 0x80) {
            cutting = true;
            cutStrings.add(stringStart);
        }
        if (b == '\\') {
            escaped = true;
        }
        return counted();
    }

    private boolean counted() {
        if (cutting) {
            return false;
        }
        stringBytes++;
        return true;
    }
}
