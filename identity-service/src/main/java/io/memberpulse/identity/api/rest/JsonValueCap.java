package io.memberpulse.identity.api.rest;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.HashSet;
import java.util.Set;

/**
 * A JSON body with each value cut to what the parser reads without stopping, as it streams to the parser, and the cut
 * strings and numbers remembered by where they begin, so that a cut value is refused as its row, naming the field,
 * and the rows after it are read on. Jackson's own limits (a string of 20,000,000 characters, a number of 1,000, nesting
 * 1,000 deep) stop the whole parse, even inside a value the row is refused for anyway (an unknown key's), and a string
 * is held up to its limit before. No column accepts a value anywhere near the caps:
 * <ul>
 * <li>a string is cut to its first {@link #MAX_STRING_BYTES} bytes (review_text, the longest, takes 4,000 characters,
 * at most 6 bytes each as a JSON escape), between characters and escapes;</li>
 * <li>a number to its first {@link #MAX_NUMBER_BYTES} (amounts are within ±10,000,000), after a digit, so that what is
 * left is a number;</li>
 * <li>an array or object opening at depth {@link #MAX_DEPTH} is emptied (an event's values are plain: an event in an
 * array is at depth 2, a nested value refused from 3 on), so that it is read as {@code []} or {@code {}}.</li>
 * </ul>
 * What the parser sees is still JSON.
 */
final class JsonValueCap extends FilterInputStream {
    static final int MAX_STRING_BYTES = 65_536;
    static final int MAX_NUMBER_BYTES = 512;
    static final int MAX_DEPTH = 64;

    private final Set<Long> cutValues = new HashSet<>();
    private final byte[] one = new byte[1];
    private long passed;
    private int depth;
    /** Open arrays and objects inside the one being emptied, plus one for it: 0 when none is. */
    private int emptying;
    private boolean inString;
    private long valueStart;
    private int stringBytes;
    private boolean cutting;
    private boolean escaped;
    private int hexDigitsLeft;
    private boolean inNumber;
    private int numberBytes;
    private boolean afterDigit;

    JsonValueCap(InputStream body) {
        super(body);
    }

    /**
     * Whether the string or number beginning at this offset (of the bytes passed on: a string's opening quote) was
     * cut: known once the parser has read it (a string token's text is read lazily, after the token is returned).
     */
    boolean wasCut(long valueOffset) {
        return cutValues.contains(valueOffset);
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
            // all of it was the inside of a cut value: read on rather than answer 0
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

    /** False for the bytes of a value past its cut. */
    private boolean keep(byte b) {
        if (emptying > 0) {
            return keepEmptying(b);
        }
        if (inString) {
            return keepInString(b);
        }
        if (inNumber) {
            if (isNumberByte(b)) {
                return keepInNumber(b);
            }
            inNumber = false;
        }
        if (b == '"') {
            inString = true;
            valueStart = passed;
            stringBytes = 0;
            cutting = false;
        } else if (b == '-' || (b >= '0' && b <= '9')) {
            inNumber = true;
            valueStart = passed;
            numberBytes = 1;
            afterDigit = b != '-';
            cutting = false;
        } else if (b == '[' || b == '{') {
            depth++;
            emptying = depth == MAX_DEPTH ? 1 : 0;
        } else if (b == ']' || b == '}') {
            depth--;
        }
        return true;
    }

    /** Inside an array or object being emptied: only its closing bracket is kept (brackets in strings are text). */
    private boolean keepEmptying(byte b) {
        if (inString) {
            if (escaped) {
                escaped = false;
            } else if (b == '\\') {
                escaped = true;
            } else if (b == '"') {
                inString = false;
            }
            return false;
        }
        if (b == '"') {
            inString = true;
        } else if (b == '[' || b == '{') {
            emptying++;
        } else if (b == ']' || b == '}') {
            emptying--;
            if (emptying == 0) {
                depth--;
                return true;
            }
        }
        return false;
    }

    /** Follows strings and their escapes. */
    private boolean keepInString(byte b) {
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
            cutValues.add(valueStart);
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

    /** A cut only after a digit, so that the number kept ends as a number does (not in "1e" or "1."). */
    private boolean keepInNumber(byte b) {
        if (!cutting && numberBytes >= MAX_NUMBER_BYTES && afterDigit) {
            cutting = true;
            cutValues.add(valueStart);
        }
        if (cutting) {
            return false;
        }
        numberBytes++;
        afterDigit = b >= '0' && b <= '9';
        return true;
    }

    private static boolean isNumberByte(byte b) {
        return (b >= '0' && b <= '9') || b == '.' || b == 'e' || b == 'E' || b == '+' || b == '-';
    }
}
