package io.memberpulse.identity.api.rest;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Reads RFC 4180 records as commons-csv's RFC4180 format with trimming reads them (a quote opens a quoted cell only
 * at the cell's start, {@code ""} inside it is a quote, blanks may follow the closing quote, line breaks inside it are
 * kept), but a broken record costs only itself: commons-csv cannot go on after one, so every record after a broken
 * quote was lost. A broken record (a character after a closing quote; a quote still open at the end of the input or
 * after {@link #MAX_OPEN_QUOTE_CHARS}) is reported with its first line, and reading goes on at the line after it.
 */
final class CsvRecords {
    /**
     * How much text a quoted cell may run over line ends before its quote counts as never closed: far above any row
     * the limits take (review_text, the longest cell, is 4,000 characters), and small enough that a file of lines
     * each opening a quote is not read again and again in full.
     */
    static final int MAX_OPEN_QUOTE_CHARS = 64 * 1024;

    /** One record: its cells (null when broken, with the reason), and the line it starts on (1-based). */
    record Record(long line, List<String> cells, String broken) {
        boolean isBlank() {
            return cells != null && cells.size() == 1 && cells.get(0).isEmpty();
        }
    }

    /** One physical line, its line break included (none at the end of the input). */
    private record Line(long number, String text) {
    }

    private final Lines lines;
    /** Lines read ahead for a quote that never closed, read again as records of their own. */
    private final Deque<Line> again = new ArrayDeque<>();

    CsvRecords(Reader reader) {
        this.lines = new Lines(reader);
    }

    /** The next record, or null at the end of the input. */
    Record next() {
        Line first = line();
        if (first == null) {
            return null;
        }
        List<Line> read = new ArrayList<>(1);
        read.add(first);
        List<String> cells = new ArrayList<>();
        StringBuilder cell = new StringBuilder();
        String text = first.text();
        int at = 0;
        int openQuoteChars = 0;
        while (true) { // one cell per turn
            cell.setLength(0);
            if (at < text.length() && text.charAt(at) == '"') {
                at++;
                while (true) { // the quoted part, over line ends
                    if (at == text.length()) {
                        Line more = openQuoteChars > MAX_OPEN_QUOTE_CHARS ? null : line();
                        if (more == null) {
                            return broken(read, "a quote opened in cell " + (cells.size() + 1) + " is never closed");
                        }
                        read.add(more);
                        openQuoteChars += more.text().length();
                        text = more.text();
                        at = 0;
                        continue;
                    }
                    char c = text.charAt(at++);
                    if (c != '"') {
                        cell.append(c);
                    } else if (at < text.length() && text.charAt(at) == '"') {
                        cell.append('"');
                        at++;
                    } else {
                        break;
                    }
                }
                while (at < text.length() && text.charAt(at) != ',' && !isLineBreak(text.charAt(at))) {
                    if (!Character.isWhitespace(text.charAt(at))) {
                        return broken(read, "invalid character '" + text.charAt(at)
                                + "' between the closing quote of cell " + (cells.size() + 1) + " and the next comma");
                    }
                    at++;
                }
            } else {
                while (at < text.length() && text.charAt(at) != ',' && !isLineBreak(text.charAt(at))) {
                    cell.append(text.charAt(at++));
                }
            }
            cells.add(cell.toString().trim());
            if (at < text.length() && text.charAt(at) == ',') {
                at++;
                continue;
            }
            return new Record(first.number(), cells, null);
        }
    }

    /**
     * A record that cannot be read is its first line alone: the lines after it that its open quote took in are read
     * again as records of their own (a quote left open must not swallow the rows that follow).
     */
    private Record broken(List<Line> read, String reason) {
        for (int i = read.size() - 1; i > 0; i--) {
            again.addFirst(read.get(i));
        }
        return new Record(read.get(0).number(), null, reason);
    }

    private Line line() {
        return again.isEmpty() ? lines.next() : again.removeFirst();
    }

    private static boolean isLineBreak(char c) {
        return c == '\n' || c == '\r';
    }

    /** Physical lines ended by \n, \r\n or \r, as commons-csv counts them. */
    private static final class Lines {
        private final Reader reader;
        private final char[] buffer = new char[1 << 16];
        private int position;
        private int limit;
        private long number;

        Lines(Reader reader) {
            this.reader = reader;
        }

        Line next() {
            StringBuilder line = new StringBuilder(128);
            while (true) {
                if (position == limit && !fill()) {
                    return line.isEmpty() ? null : new Line(++number, line.toString());
                }
                char c = buffer[position++];
                line.append(c);
                if (c == '\n') {
                    return new Line(++number, line.toString());
                }
                if (c == '\r') {
                    if ((position < limit || fill()) && buffer[position] == '\n') {
                        line.append(buffer[position++]);
                    }
                    return new Line(++number, line.toString());
                }
            }
        }

        private boolean fill() {
            try {
                int read;
                do {
                    read = reader.read(buffer, 0, buffer.length);
                } while (read == 0);
                position = 0;
                limit = Math.max(read, 0);
                return read > 0;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
