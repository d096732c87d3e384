package io.memberpulse.devstack.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The erase and erasure commands' own answers, before identity-service is asked: their arguments, and what they say
 * without a stack. What identity-service answers is the end-to-end test's (WalkingSkeletonTest erases a member
 * through this command on the real stack). The state folder names an address where nothing listens, so a wrong
 * argument let through would end in "does not answer" (exit 1), not in the usage (exit 2).
 */
class ErasureCommandTest {
    @TempDir
    Path state;

    record Run(int exit, String out, String err) {
    }

    private Run run(String... args) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = ErasureCommand.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private void stackAtAnAddressWhereNothingListens() throws Exception {
        Files.writeString(state.resolve("stack.env"), "IDENTITY_URL=http://127.0.0.1:1\n");
    }

    @Test
    void anEraseWithoutAReferenceOrWithAnUnknownOptionIsRefusedWithTheUsage() throws Exception {
        stackAtAnAddressWhereNothingListens();
        String dir = state.toString();
        for (List<String> wrong : List.of(
                List.of("erase", "m-1", "--state", dir),
                List.of("erase", "m-1", "--reference", "--state", dir),
                List.of("erase", "m-1", "--state", dir, "--reference"),
                List.of("erase", "m-1", "--refrence", "DSR-1", "--state", dir),
                List.of("erase", "--reference", "DSR-1", "--state", dir),
                List.of("erase", "m-1", "m-2", "--reference", "DSR-1", "--state", dir),
                List.of("erase", " ", "--reference", "DSR-1", "--state", dir),
                List.of("erasure", "--state", dir),
                List.of("erasure", "", "--state", dir),
                List.of("erasure", "e-1", "--reference", "DSR-1", "--state", dir),
                List.of("forget", "m-1", "--reference", "DSR-1", "--state", dir))) {
            Run refused = run(wrong.toArray(String[]::new));
            assertThat(refused.exit()).as(String.join(" ", wrong)).isEqualTo(2);
            assertThat(refused.err()).as(String.join(" ", wrong)).endsWith(ErasureCommand.USAGE + "\n");
            assertThat(refused.out()).isEmpty();
        }
        assertThat(run("erase", "m-1", "--state", dir).err()).startsWith("missing --reference TEXT");
        assertThat(run("erase", "m-1", "--refrence", "DSR-1", "--state", dir).err()).startsWith("unknown option --refrence");
        assertThat(run("erase", "m-1", "--reference", "--state", dir).err()).startsWith("--reference needs a value");
        assertThat(run("erase", "--reference", "DSR-1", "--state", dir).err()).startsWith("missing MEMBER_ID");
    }

    @Test
    void wellFormedArgumentsAskIdentityServiceAndSayWhenItDoesNotAnswer() throws Exception {
        stackAtAnAddressWhereNothingListens();
        Run erase = run("erase", "m-1", "--reference", "DSR 2026/42", "--state", state.toString());
        assertThat(erase.exit()).isEqualTo(1);
        assertThat(erase.err()).startsWith("identity-service does not answer at http://127.0.0.1:1");
        Run erasure = run("erasure", "e-1", "--state", state.toString());
        assertThat(erasure.exit()).isEqualTo(1);
        assertThat(erasure.err()).startsWith("identity-service does not answer at http://127.0.0.1:1");
    }

    @Test
    void withoutAStackItSaysSo() throws Exception {
        Run erase = run("erase", "m-1", "--reference", "DSR-1", "--state", state.resolve("nowhere").toString());
        assertThat(erase.exit()).isEqualTo(1);
        assertThat(erase.err()).startsWith("the stack is not up (no ").contains("nowhere");
    }

    @Test
    void anErasureIsShownWithItsIdsAndItsTimeInUtc() throws Exception {
        var record = new ObjectMapper().readTree("""
                {"erasureId": "e-1", "memberId": "m-1", "absorbedMemberIds": ["m-2", "m-3"], "reference": "DSR-1",
                 "requestedBy": "steward@memberpulse.local", "erasedAt": "2026-12-08T02:40:11.123456Z"}""");
        assertThat(ErasureCommand.describe(record)).isEqualTo("""
                erasure e-1
                  member            m-1
                  absorbed members  m-2, m-3
                  reference         DSR-1
                  requested by      steward@memberpulse.local
                  erased at         2026-12-08 02:40:11 UTC
                """);
        var alone = new ObjectMapper().readTree("""
                {"erasureId": "e-2", "memberId": "m-4", "absorbedMemberIds": [], "reference": "DSR-2",
                 "requestedBy": "s", "erasedAt": "not a time"}""");
        assertThat(ErasureCommand.describe(alone)).contains("  absorbed members  none\n", "  erased at         not a time\n");
    }
}
