package io.memberpulse.devstack.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher script's own answers, without starting anything. It runs from an empty directory, so that
 * a help text that ran its examples (`$(./memberpulse token)` in an unquoted here-document, which made
 * `./memberpulse help` call itself without end) finds no ./memberpulse there and this test fails instead.
 */
class LauncherScriptTest {
    static final Path SCRIPT = Path.of("..", "memberpulse").toAbsolutePath().normalize();

    record Run(int exit, String out, String err) {
    }

    @Test
    void helpPrintsTheCommandsWithTheirExamplesAsWritten(@TempDir Path elsewhere) throws Exception {
        Run help = run(elsewhere, "help");
        assertThat(help.exit()).isZero();
        assertThat(help.out()).startsWith("usage: ./memberpulse COMMAND")
                .contains("  up ", "  import FILE", "  churn score --as-of DATE", "  token [analyst | ingest | staff STORE]")
                .contains("curl -H \"Authorization: Bearer $(./memberpulse");
        assertThat(help.err()).isEmpty();
    }

    @Test
    void anUnknownCommandIsNamedAndFailsWithTheUsage(@TempDir Path elsewhere) throws Exception {
        Run unknown = run(elsewhere, "bogus");
        assertThat(unknown.exit()).isEqualTo(2);
        assertThat(unknown.err()).startsWith("unknown command: bogus").contains("usage: ./memberpulse COMMAND");
        assertThat(unknown.out()).isEmpty();
    }

    private static Run run(Path directory, String... args) throws IOException, InterruptedException {
        Path out = Files.createTempFile(directory, "out", ".txt");
        Path err = Files.createTempFile(directory, "err", ".txt");
        String[] command = new String[args.length + 2];
        command[0] = "bash";
        command[1] = SCRIPT.toString();
        System.arraycopy(args, 0, command, 2, args.length);
        Process process = new ProcessBuilder(command).directory(directory.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            throw new AssertionError("./memberpulse " + String.join(" ", args) + " did not finish within 30 s");
        }
        return new Run(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }
}
