package io.memberpulse.proto.csv;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * The records of a CSV body, read by commons-csv (RFC 4180, cells trimmed), where a broken record costs only itself:
 * commons-csv cannot read on after a record it cannot read (a character after a closing quote, a quote never closed),
 * so every record after it was lost. Here the text read since the last good record is kept, and after a broken one a
 * new parser starts at the line after the broken record's first line: the lines a quote left open took in are read
 * again as records of their own. A quote still open after {@link #MAX_OPEN_QUOTE_CHARS} is given up there rather than
 * at the end of the input (a file of lines that each open a quote would otherwise be read to its end again and again).
 * identity-service reads an imported CSV body with it, and the launcher's {@code import} the file it sends in chunks,
 * so that both go on past a broken record alike.
 */
public final class CsvRecords {
    /** Far above any row the field limits take (review_text, the longest cell, is 4,000 characters). */
    public static final int MAX_OPEN_QUOTE_CHARS = 64 * 1024;
    private static final CSVFormat FORMAT = CSVFormat.RFC4180.builder().setTrim(true).get();

    /** One record: its cells (null when broken, with the reason), and the line it starts on (1-based). */
    public record Record(long line, List<String> cells, String broken) {
        public boolean isBlank() {
            return cells != null && cells.size() == 1 && cells.get(0).isEmpty();
        }
    }

    private LoggedText text;
    private CSVParser parser;
    private Iterator<CSVRecord> records;
    /** The line of the input the current parser's first line is. */
    private long firstLine;
    /** The line the next record starts on. */
    private long nextLine;

    public CsvRecords(Reader body) {
        start(new LoggedText("", body, 1, 0));
    }

    /**
     * The next record, or null at the end of the input.
     *
     * @throws UncheckedIOException when the input itself fails (a truncated .gz, a dropped connection): no record
     *         after it can be read, so it is not taken for a broken record
     */
    public Record next() {
        long line = nextLine;
        try {
            if (!records.hasNext()) {
                return null;
            }
            CSVRecord record = records.next();
            nextLine = firstLine + parser.getCurrentLineNumber();
            text.forgetBefore(nextLine);
            return new Record(line, record.toList(), null);
        } catch (UncheckedIOException | IllegalStateException e) {
            for (Throwable cause = e; cause != null; cause = cause.getCause()) {
                if (cause instanceof InputFailed failed) {
                    throw new UncheckedIOException((IOException) failed.getCause());
                }
            }
            start(text.from(line + 1));
            return new Record(line, null, reason(e));
        }
    }

    private void start(LoggedText from) {
        text = from;
        try {
            parser = FORMAT.parse(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        records = parser.iterator();
        firstLine = from.keptFrom;
        nextLine = firstLine;
    }

    /** commons-csv's reason without its position, which counts from where its parser started, not from the body's start. */
    private static String reason(RuntimeException e) {
        Throwable cause = e.getCause() != null ? e.getCause() : e;
        String message = String.valueOf(cause.getMessage());
        if (message.contains("EOF reached before encapsulated token finished") || cause instanceof QuoteLeftOpen) {
            return "a quote opened on this line is never closed";
        }
        if (message.contains("between encapsulated token and delimiter")) {
            return "a character follows the closing quote of a quoted cell before the next comma";
        }
        return message.replaceFirst(" at line: .*", "").replaceFirst("(?i)^IOException: ", "");
    }

    /** The input's own failure, told apart from the parser's: every restart would meet it again, one line on. */
    private static final class InputFailed extends IOException {
        InputFailed(IOException cause) {
            super(cause);
        }
    }

    /** Thrown into the parser when one record has run over {@link #MAX_OPEN_QUOTE_CHARS}. */
    private static final class QuoteLeftOpen extends IOException {
        QuoteLeftOpen() {
            super("a quote left open");
        }
    }

    /**
     * The text handed to a parser, kept from the line its next record starts on (the parser reads ahead, so this is
     * the only place the lines of a broken record can be read again from): first what an earlier parser left to read
     * again, then the body. Line ends as commons-csv counts them: \n, \r\n and \r.
     */
    private static final class LoggedText extends Reader {
        private final String again;
        private int againAt;
        private final Reader body;
        /** Line ends still to pass before this text starts (a restart at a line not read yet). */
        private long skipLines;
        /** A \r ended the last line skipped: a \n right after it belongs to it. */
        private boolean skippedCr;
        /** What the parser was given from line {@code keptFrom} on, starting at {@code base}. */
        private final StringBuilder kept = new StringBuilder();
        private int base;
        private long keptFrom;
        /** Where each line from {@code keptFrom} on starts in {@code kept}. */
        private int[] lineStarts = new int[64];
        private int lines;

        LoggedText(String again, Reader body, long firstLine, long skipLines) {
            this.again = again;
            this.body = body;
            this.skipLines = skipLines;
            this.keptFrom = firstLine;
            lineStarts[lines++] = 0;
        }

        @Override
        public int read(char[] buffer, int offset, int length) throws IOException {
            if (lines > 1 && kept.length() - lineStarts[1] > MAX_OPEN_QUOTE_CHARS + 2 * 8192) {
                // a record running this far past its first line end only comes from a quote left open (one long line
                // is read whole: its length is the field limits' to judge)
                throw new QuoteLeftOpen();
            }
            while (skipLines > 0 || skippedCr) {
                int c = next();
                if (c < 0) {
                    return -1;
                }
                if (skippedCr && c == '\n') {
                    skippedCr = false;
                    continue;
                }
                if (skippedCr) {
                    skippedCr = false;
                    buffer[offset] = (char) c; // the first character of the line to start at
                    return 1 + Math.max(0, readLogged(buffer, offset + 1, length - 1, 1));
                }
                if (c == '\n' || c == '\r') {
                    skipLines--;
                    skippedCr = c == '\r';
                }
            }
            return readLogged(buffer, offset, length, 0);
        }

        /** One character from what is left to read again, then the body; -1 at the end. */
        private int next() throws IOException {
            return againAt < again.length() ? again.charAt(againAt++) : readBody();
        }

        /**
         * Reads into the buffer after {@code taken} characters already put there, and logs them all.
         *
         * @return the characters read now, -1 at the end (then {@code taken} are still logged)
         */
        private int readLogged(char[] buffer, int offset, int length, int taken) throws IOException {
            int read;
            if (length == 0) {
                read = 0;
            } else if (againAt < again.length()) {
                read = Math.min(length, again.length() - againAt);
                again.getChars(againAt, againAt + read, buffer, offset);
                againAt += read;
            } else {
                read = readBody(buffer, offset, length);
            }
            log(buffer, offset - taken, Math.max(read, 0) + taken);
            return read;
        }

        private void log(char[] buffer, int offset, int read) {
            for (int i = offset; i < offset + read; i++) {
                char c = buffer[i];
                boolean secondOfCrLf = c == '\n' && kept.length() > 0 && kept.charAt(kept.length() - 1) == '\r';
                kept.append(c);
                if (secondOfCrLf) {
                    lineStarts[lines - 1] = kept.length();
                } else if (c == '\r' || c == '\n') {
                    lineStart(kept.length());
                }
            }
        }

        private void lineStart(int at) {
            if (lines == lineStarts.length) {
                lineStarts = Arrays.copyOf(lineStarts, lines * 2);
            }
            lineStarts[lines++] = at;
        }

        /** Drops what lies before {@code line}: a record ended there. */
        void forgetBefore(long line) {
            int drop = (int) Math.min(line - keptFrom, lines - 1);
            if (drop <= 0) {
                return;
            }
            base = lineStarts[drop];
            System.arraycopy(lineStarts, drop, lineStarts, 0, lines - drop);
            lines -= drop;
            keptFrom += drop;
            if (base > kept.length() / 2) { // compacted now and then, not on every record
                kept.delete(0, base);
                for (int i = 0; i < lines; i++) {
                    lineStarts[i] -= base;
                }
                base = 0;
            }
        }

        /** A new start at {@code line}: what was read of it and after it, what is left to read again, then the body. */
        LoggedText from(long line) {
            int index = (int) (line - keptFrom);
            if (index < lines) {
                return new LoggedText(kept.substring(lineStarts[index]) + again.substring(againAt), body, line, 0);
            }
            // the line has not been read up to yet (a broken record's line longer than what was read of it)
            return new LoggedText(again.substring(againAt), body, line, index - (lines - 1));
        }

        private int readBody() throws InputFailed {
            try {
                return body.read();
            } catch (IOException e) {
                throw new InputFailed(e);
            }
        }

        private int readBody(char[] buffer, int offset, int length) throws InputFailed {
            try {
                return body.read(buffer, offset, length);
            } catch (IOException e) {
                throw new InputFailed(e);
            }
        }

        @Override
        public void close() {
            // the body is closed by its owner
        }
    }
}
