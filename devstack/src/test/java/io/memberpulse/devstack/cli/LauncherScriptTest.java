package io.memberpulse.devstack.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
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
                .contains("  up ", "  import FILE", "  reset ", "  churn score --as-of DATE", "  token [analyst | ingest | staff STORE]")
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

    @Test
    void logsOfAnUnknownServiceAnswerWithTheNamesItKnows(@TempDir Path elsewhere) throws Exception {
        Run logs = run(elsewhere, Map.of("MEMBERPULSE_STATE", elsewhere.resolve("state").toString()), "logs", "identiy");
        assertThat(logs.exit()).isEqualTo(2);
        assertThat(logs.err()).isEqualTo("usage: ./memberpulse logs identity|rfm|churn|campaign|devstack [-f]\n");
        Run missing = run(elsewhere, Map.of("MEMBERPULSE_STATE", elsewhere.resolve("state").toString()), "logs", "rfm-service");
        assertThat(missing.exit()).isEqualTo(1);
        assertThat(missing.err()).startsWith("no log for rfm-service at ");
    }

    @Test
    void resetRefusesWhileTheStackRunsAndTouchesNothing(@TempDir Path elsewhere) throws Exception {
        // A live pid in the state folder is what the launcher takes for a running stack: this JVM's.
        Path state = Files.createDirectories(elsewhere.resolve("state"));
        Files.writeString(state.resolve("devstack.pid"), Long.toString(ProcessHandle.current().pid()));
        Run reset = run(elsewhere, Map.of("MEMBERPULSE_STATE", state.toString()), "reset");
        assertThat(reset.exit()).isEqualTo(1);
        assertThat(reset.err()).contains("memberpulse is up: ./memberpulse down first");
        assertThat(reset.out()).doesNotContain("dropped", "deleted");
        assertThat(state.resolve("devstack.pid")).exists();
    }

    private static Run run(Path directory, String... args) throws IOException, InterruptedException {
        return run(directory, Map.of(), args);
    }

    private static Run run(Path directory, Map<String, String> environment, String... args)
            throws IOException, InterruptedException {
        Path out = Files.createTempFile(directory, "out", ".txt");
        Path err = Files.createTempFile(directory, "err", ".txt");
        String[] command = new String[args.length + 2];
        command[0] = "bash";
        command[1] = SCRIPT.toString();
        System.arraycopy(args, 0, command, 2, args.length);
        ProcessBuilder builder = new ProcessBuilder(command).directory(directory.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile());
        builder.environment().putAll(environment);
        Process process = builder.start();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            throw new AssertionError("./memberpulse " + String.join(" ", args) + " did not finish within 30 s");
        }
        return new Run(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }
}
