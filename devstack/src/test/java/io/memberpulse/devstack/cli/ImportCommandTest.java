package io.memberpulse.devstack.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Test;

class ImportCommandTest {
    private static final String CSV = "source,event_id,type,occurred_at,member_no\r\npos,e1,order,2024-01-05T10:00:00,M1\r\n";

    @Test
    void aByteOrderMarkIsNotPartOfTheFirstColumnsName() throws IOException {
        byte[] withMark = ("\uFEFF" + CSV).getBytes(StandardCharsets.UTF_8);
        try (CSVParser parser = ImportCommand.openCsv(new ByteArrayInputStream(withMark))) {
            assertEquals(List.of("source", "event_id", "type", "occurred_at", "member_no"), parser.getHeaderNames());
            List<CSVRecord> rows = parser.getRecords();
            assertEquals(1, rows.size());
            assertEquals("pos", rows.get(0).get("source"));
        }
    }

    @Test
    void aFileWithoutAMarkKeepsItsFirstCharacter() throws IOException {
        try (CSVParser parser = ImportCommand.openCsv(new ByteArrayInputStream(CSV.getBytes(StandardCharsets.UTF_8)))) {
            assertEquals("source", parser.getHeaderNames().get(0));
            assertEquals("e1", parser.getRecords().get(0).get("event_id"));
        }
    }

    @Test
    void blankLinesAreNoRows() throws IOException {
        String csv = "event_id,source\n\ne1,pos\n   \n,\n";
        try (CSVParser parser = ImportCommand.openCsv(new ByteArrayInputStream(csv.getBytes(StandardCharsets.UTF_8)))) {
            List<Boolean> blank = parser.getRecords().stream().map(ImportCommand::isBlank).toList();
            // a row of empty cells is not a blank line: identity-service rejects it naming what is missing
            assertEquals(List.of(true, false, true, false), blank);
        }
    }
}
