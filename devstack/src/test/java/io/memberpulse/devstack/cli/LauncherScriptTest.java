package io.memberpulse.devstack.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
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
                .contains("  up ", "  import FILE", "  reset ", "  churn score --as-of DATE", "  token [analyst | ingest | steward | staff STORE]")
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
    void dlqNamesItsTwoCommandsAndReplaysOnlyARunningStacksTopics(@TempDir Path elsewhere) throws Exception {
        // no broker named: the local stack's, which is not up
        Map<String, String> state = Map.of("MEMBERPULSE_STATE", elsewhere.resolve("state").toString(),
                "KAFKA_BOOTSTRAP_SERVERS", "");
        assertThat(run(elsewhere, "help").out()).contains("  dlq list ", "  dlq replay TOPIC.dlq [--reason TEXT] [--dry-run]");
        for (String[] wrong : List.of(new String[] {"dlq"}, new String[] {"dlq", "replay"},
                new String[] {"dlq", "list", "member.events.dlq"}, new String[] {"dlq", "resend", "member.events.dlq"})) {
            Run usage = run(elsewhere, state, wrong);
            assertThat(usage.exit()).as(String.join(" ", wrong)).isEqualTo(2);
            assertThat(usage.err()).isEqualTo(DeadLetterCommand.USAGE + "\n");
        }
        Run down = run(elsewhere, state, "dlq", "replay", "member.events.dlq", "--dry-run");
        assertThat(down.exit()).isEqualTo(1);
        assertThat(down.err()).contains("memberpulse is not up");
    }

    @Test
    void eraseNeedsAMemberAndAReferenceBeforeItLooksForTheStack(@TempDir Path elsewhere) throws Exception {
        Map<String, String> state = Map.of("MEMBERPULSE_STATE", elsewhere.resolve("state").toString());
        assertThat(run(elsewhere, "help").out()).contains("  erase MEMBER_ID --reference TEXT", "  erasure ERASURE_ID");
        String usage = ErasureCommand.USAGE + "\n";
        for (List<String> wrong : List.of(List.of("erase", "m-1"), List.of("erase", "m-1", "--reference"),
                List.of("erase", "--reference", "DSR-1"), List.of("erase", "m-1", "--ref", "DSR-1"),
                List.of("erase", "m-1", "m-2", "--reference", "DSR-1"), List.of("erasure"), List.of("erasure", ""), List.of("erasure", "e-1", "e-2"))) {
            Run refused = run(elsewhere, state, wrong.toArray(String[]::new));
            assertThat(refused.exit()).as(String.join(" ", wrong)).isEqualTo(2);
            assertThat(refused.err()).as(String.join(" ", wrong)).endsWith(usage).doesNotContain("unknown command");
        }
        assertThat(run(elsewhere, state, "erase", "m-1").err())
                .isEqualTo("missing --reference TEXT: the erasure request's ticket number\n" + usage);
        assertThat(run(elsewhere, state, "erase", "m-1", "--ref", "DSR-1").err()).startsWith("unknown option: --ref\n");
        // well formed: the stack's turn, which is not up
        for (String[] asked : List.of(new String[] {"erase", "m-1", "--reference", "DSR 2026/42"},
                new String[] {"erasure", "e-1"})) {
            Run down = run(elsewhere, state, asked);
            assertThat(down.exit()).isEqualTo(1);
            assertThat(down.err()).isEqualTo("memberpulse is not up: ./memberpulse up\n");
        }
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
        // A live supervisor named in the state folder is what the launcher takes for a running stack.
        Path state = Files.createDirectories(elsewhere.resolve("state"));
        Process supervisor = fakeSupervisor();
        try {
            Files.writeString(state.resolve("devstack.pid"), Long.toString(supervisor.pid()));
            Run reset = run(elsewhere, Map.of("MEMBERPULSE_STATE", state.toString()), "reset");
            assertThat(reset.exit()).isEqualTo(1);
            assertThat(reset.err()).contains("memberpulse is up: ./memberpulse down first");
            assertThat(reset.out()).doesNotContain("dropped", "deleted");
            assertThat(state.resolve("devstack.pid")).exists();
        } finally {
            supervisor.destroyForcibly();
        }
    }

    @Test
    void upWhileAStackIsStillStartingStartsNoSecondOne(@TempDir Path elsewhere) throws Exception {
        // a stack whose 'up' was interrupted or timed out: alive, never ready. A second one would find the ports taken,
        // and its pid would replace the first's, which 'down' would then never stop.
        Path state = Files.createDirectories(elsewhere.resolve("state"));
        Process supervisor = fakeSupervisor();
        try {
            Files.writeString(state.resolve("devstack.pid"), Long.toString(supervisor.pid()));
            Run up = run(elsewhere, Map.of("MEMBERPULSE_STATE", state.toString()), "up");
            assertThat(up.exit()).isEqualTo(1);
            assertThat(up.err()).contains("memberpulse is starting or stuck (supervisor pid " + supervisor.pid() + ")");
            assertThat(up.out()).doesNotContain("starting memberpulse", "building");
            assertThat(Files.readString(state.resolve("devstack.pid"))).isEqualTo(Long.toString(supervisor.pid()));
            assertThat(supervisor.isAlive()).isTrue();
        } finally {
            supervisor.destroyForcibly();
        }
    }

    @Test
    void downLeavesAProcessThatIsNotTheStackAlone(@TempDir Path elsewhere) throws Exception {
        // after a reboot the pid in a stale file may be any process's: it is not the stack, and is not stopped
        Path state = Files.createDirectories(elsewhere.resolve("state"));
        Process other = new ProcessBuilder("sleep", "60").start();
        try {
            Files.writeString(state.resolve("devstack.pid"), Long.toString(other.pid()));
            Files.writeString(state.resolve("ready"), "");
            Run status = run(elsewhere, Map.of("MEMBERPULSE_STATE", state.toString()), "status");
            assertThat(status.out()).contains("memberpulse is not running");
            Run down = run(elsewhere, Map.of("MEMBERPULSE_STATE", state.toString()), "down");
            assertThat(down.exit()).isZero();
            assertThat(down.out()).contains("its pid file was stale");
            assertThat(other.isAlive()).isTrue();
            assertThat(state.resolve("devstack.pid")).doesNotExist();
        } finally {
            other.destroyForcibly();
        }
    }

    @Test
    void upBuildsAgainWhenASourceChangedAfterItsJarAndStartsNothingWhenThatBuildFails(@TempDir Path checkout)
            throws Exception {
        // A checkout built yesterday (every jar there), then one service's source edited (a pull, an edit) today.
        Path script = checkout.resolve("memberpulse");
        Files.copy(SCRIPT, script);
        List<Path> jars = new ArrayList<>(List.of(checkout.resolve("devstack/target/devstack-0.1.0-SNAPSHOT.jar")));
        for (String service : List.of("identity-service", "rfm-service", "churn-service", "campaign-service")) {
            jars.add(checkout.resolve(service + "/target/quarkus-app/quarkus-run.jar"));
        }
        FileTime yesterday = FileTime.from(Instant.now().minus(Duration.ofDays(1)));
        for (Path jar : jars) {
            Files.createDirectories(jar.getParent());
            Files.createFile(jar);
            Files.setLastModifiedTime(jar, yesterday);
        }
        Path pom = Files.writeString(checkout.resolve("pom.xml"), "<project/>");
        Files.setLastModifiedTime(pom, FileTime.from(Instant.now().minus(Duration.ofDays(2))));
        Path edited = checkout.resolve("churn-service/src/main/java/Edited.java");
        Files.createDirectories(edited.getParent());
        Files.writeString(edited, "class Edited {}");
        // a Maven Wrapper whose build fails
        Path mvnw = Files.writeString(checkout.resolve("mvnw"), "#!/usr/bin/env bash\necho '[INFO] BUILD FAILURE'\nexit 1\n");
        assertThat(mvnw.toFile().setExecutable(true)).isTrue();

        Run up = run(script, checkout, Map.of("MEMBERPULSE_STATE", checkout.resolve("state").toString()), "up");
        assertThat(up.out()).contains("building memberpulse").doesNotContain("starting memberpulse");
        assertThat(up.err()).contains("build failed");
        assertThat(up.exit()).isNotZero();
    }

    @Test
    void aSecondUpDuringTheFirstOnesBuildStartsNothing(@TempDir Path checkout) throws Exception {
        // The first 'up' has no pid file to show until its build is done: the second must still see it and stop.
        Path script = checkout.resolve("memberpulse");
        Files.copy(SCRIPT, script);
        Path release = checkout.resolve("release-build");
        // a Maven Wrapper whose build lasts until the test releases it, then fails (so nothing is started)
        Path mvnw = Files.writeString(checkout.resolve("mvnw"), "#!/usr/bin/env bash\necho '[INFO] Building devstack'\n"
                + "while [ ! -f '" + release + "' ]; do sleep 0.1; done\necho '[INFO] BUILD FAILURE'\nexit 1\n");
        assertThat(mvnw.toFile().setExecutable(true)).isTrue();
        Map<String, String> environment = Map.of("MEMBERPULSE_STATE", checkout.resolve("state").toString());
        Path firstOut = checkout.resolve("first-out.txt");
        ProcessBuilder firstUp = new ProcessBuilder("bash", script.toString(), "up").directory(checkout.toFile())
                .redirectOutput(firstOut.toFile()).redirectError(checkout.resolve("first-err.txt").toFile());
        firstUp.environment().putAll(environment);
        Process first = firstUp.start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (!Files.readString(firstOut).contains("[INFO] Building devstack")) {
                assertThat(System.nanoTime()).as("the first up reached its build").isLessThan(deadline);
                Thread.sleep(50);
            }
            Run second = run(script, checkout, environment, "up");
            assertThat(second.exit()).isEqualTo(1);
            assertThat(second.err()).contains("another ./memberpulse up or demo is starting the stack");
            assertThat(second.out()).doesNotContain("building memberpulse", "starting memberpulse");
        } finally {
            Files.writeString(release, "");
            if (!first.waitFor(20, TimeUnit.SECONDS)) {
                first.destroyForcibly();
            }
        }
        assertThat(first.exitValue()).isNotZero();
        assertThat(Files.readString(firstOut)).doesNotContain("starting memberpulse");
    }

    /** A process that looks like the stack's supervisor (its command line names DevStackMain) and does nothing. */
    private static Process fakeSupervisor() throws IOException {
        return new ProcessBuilder("bash", "-c", "exec -a 'java io.memberpulse.devstack.cli.DevStackMain up' sleep 60")
                .start();
    }

    private static Run run(Path directory, String... args) throws IOException, InterruptedException {
        return run(directory, Map.of(), args);
    }

    private static Run run(Path directory, Map<String, String> environment, String... args)
            throws IOException, InterruptedException {
        return run(SCRIPT, directory, environment, args);
    }

    private static Run run(Path script, Path directory, Map<String, String> environment, String... args)
            throws IOException, InterruptedException {
        Path out = Files.createTempFile(directory, "out", ".txt");
        Path err = Files.createTempFile(directory, "err", ".txt");
        String[] command = new String[args.length + 2];
        command[0] = "bash";
        command[1] = script.toString();
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
