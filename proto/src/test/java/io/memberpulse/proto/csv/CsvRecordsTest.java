package io.memberpulse.proto.csv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.EOFException;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CsvRecordsTest {

    @Test
    void readsQuotedCellsEscapedQuotesLineBreaksInsideQuotesAndEveryLineEnding() {
        List<CsvRecords.Record> records = read("a,\"b, \"\"c\"\"\" ,  d \r\n\"two\nlines\",x\r\"\",\n\nlast,\"q\"");
        assertThat(records).extracting(CsvRecords.Record::line).containsExactly(1L, 2L, 4L, 5L, 6L);
        assertThat(records.get(0).cells()).containsExactly("a", "b, \"c\"", "d");
        assertThat(records.get(1).cells()).containsExactly("two\nlines", "x");
        assertThat(records.get(2).cells()).containsExactly("", "");
        assertThat(records.get(3).isBlank()).isTrue();
        assertThat(records.get(4).cells()).containsExactly("last", "q");
        // a quote inside a cell that did not start with one is text, as commons-csv reads it
        assertThat(read("a,b\"c,d").get(0).cells()).containsExactly("a", "b\"c", "d");
    }

    @Test
    void aCharacterAfterAClosingQuoteBreaksOnlyItsRecord() {
        List<CsvRecords.Record> records = read("h1,h2\n1,\"王\" 小明\n2,ok\n");
        assertThat(records).hasSize(3);
        assertThat(records.get(1).line()).isEqualTo(2);
        assertThat(records.get(1).broken()).contains("closing quote");
        assertThat(records.get(2).cells()).containsExactly("2", "ok");
    }

    @Test
    void aQuoteNeverClosedBreaksTheLineItOpensOnAndTheLinesAfterAreRecordsAgain() {
        List<CsvRecords.Record> records = read("1,\"open\n2,b\n3,\"x\"\n4,\"y\n");
        // the quote opened on line 1 closes at line 3's first quote, and then a character follows it
        assertThat(records).extracting(CsvRecords.Record::line).containsExactly(1L, 2L, 3L, 4L);
        assertThat(records.get(0).broken()).isNotNull();
        assertThat(records.get(1).cells()).containsExactly("2", "b");
        assertThat(records.get(2).cells()).containsExactly("3", "x");
        assertThat(records.get(3).broken()).contains("never closed");
    }

    @Test
    void aQuoteLeftOpenIsGivenUpAfterItsLimitNotAtTheEndOfTheInput() {
        StringBuilder csv = new StringBuilder("1,\"open\n");
        int rows = CsvRecords.MAX_OPEN_QUOTE_CHARS / 10 + 10;
        for (int i = 0; i < rows; i++) {
            csv.append("2,abcdefg\n");
        }
        List<CsvRecords.Record> records = read(csv.toString());
        assertThat(records.get(0).broken()).contains("never closed");
        assertThat(records).hasSize(rows + 1);
        assertThat(records.subList(1, records.size())).allSatisfy(r -> assertThat(r.cells()).containsExactly("2", "abcdefg"));
    }

    @Test
    void aLongLineIsOneRecordAndABrokenOneIsLeftAtItsOwnLineEnd() {
        String longCell = "x".repeat(CsvRecords.MAX_OPEN_QUOTE_CHARS * 3);
        List<CsvRecords.Record> records = read("1," + longCell + "\n2,\"a\" " + longCell + "\r\n3,ok\n");
        assertThat(records).extracting(CsvRecords.Record::line).containsExactly(1L, 2L, 3L);
        assertThat(records.get(0).cells()).containsExactly("1", longCell);
        assertThat(records.get(1).broken()).contains("closing quote");
        assertThat(records.get(2).cells()).containsExactly("3", "ok");
    }

    /** A truncated .gz, a dropped connection: read again after every restart, it would make endless broken records. */
    @Test
    void anInputThatFailsIsAFailureNotABrokenRecord() {
        Reader failing = new Reader() {
            private final Reader start = new StringReader("h1,h2\n1,a\n2,b");

            @Override
            public int read(char[] buffer, int offset, int length) throws IOException {
                int read = start.read(buffer, offset, length);
                if (read < 0) {
                    throw new EOFException("Unexpected end of ZLIB input stream");
                }
                return read;
            }

            @Override
            public void close() {
            }
        };
        CsvRecords reader = new CsvRecords(failing);
        List<CsvRecords.Record> records = new ArrayList<>();
        assertThatThrownBy(() -> {
            for (int i = 0; i < 100; i++) {
                records.add(reader.next());
            }
        }).isInstanceOf(UncheckedIOException.class).hasRootCauseMessage("Unexpected end of ZLIB input stream");
        assertThat(records).extracting(CsvRecords.Record::cells).containsExactly(List.of("h1", "h2"), List.of("1", "a"));
    }

    private static List<CsvRecords.Record> read(String csv) {
        CsvRecords reader = new CsvRecords(new StringReader(csv));
        List<CsvRecords.Record> records = new ArrayList<>();
        for (CsvRecords.Record record = reader.next(); record != null; record = reader.next()) {
            records.add(record);
        }
        return records;
    }
}
