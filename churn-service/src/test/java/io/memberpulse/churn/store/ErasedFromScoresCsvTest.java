package io.memberpulse.churn.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

/** A batch's stored scores lose the rows of erased members, quoted ids included, and keep every other row. */
class ErasedFromScoresCsvTest {
    private static final String CSV = "member_id,member_no,churn_probability\r\n"
            + "m1,no-1,0.100000\r\n"
            + "\"m,2\",\"no \"\"2\"\"\",0.200000\r\n"
            + "m3,,0.300000\r\n";

    @Test
    void theErasedMembersRowsGoAndTheOthersStay() throws IOException {
        byte[] stored = gzip(CSV);
        assertThat(ErasedFromScoresCsv.memberIds(stored)).containsExactly("m1", "m,2", "m3");
        assertThat(gunzip(ErasedFromScoresCsv.without(stored, Set.of("m,2", "m3"))))
                .isEqualTo("member_id,member_no,churn_probability\r\nm1,no-1,0.100000\r\n");
        assertThat(gunzip(ErasedFromScoresCsv.without(stored, Set.of("m1"))))
                .isEqualTo("member_id,member_no,churn_probability\r\n\"m,2\",\"no \"\"2\"\"\",0.200000\r\nm3,,0.300000\r\n");
    }

    @Test
    void aCsvWithoutThemIsLeftAsItIs() throws IOException {
        byte[] stored = gzip(CSV);
        assertThat(ErasedFromScoresCsv.without(stored, Set.of("m2", "no-1"))).isSameAs(stored);
        assertThat(ErasedFromScoresCsv.without(stored, Set.of())).isSameAs(stored);
    }

    private static byte[] gzip(String text) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(bytes)) {
            out.write(text.getBytes(StandardCharsets.UTF_8));
        }
        return bytes.toByteArray();
    }

    private static String gunzip(byte[] gzipped) throws IOException {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gzipped))) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
