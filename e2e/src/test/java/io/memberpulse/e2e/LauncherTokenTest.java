package io.memberpulse.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher as a user runs it, on what this build packaged: `./memberpulse token staff STORE` runs
 * devstack from its jar and target/lib, as every launcher command that signs its calls does. Session 11
 * declared jose4j (what the token signer needs at run time) in test scope, which left it out of target/lib:
 * every signed launcher command failed on a clean checkout, and only this packaged run shows it.
 */
class LauncherTokenTest {

    @Test
    void theLauncherSignsAStaffTokenFromThePackagedBuild(@TempDir Path state) throws Exception {
        Path root = Path.of(System.getProperty("memberpulse.root", "..")).toAbsolutePath().normalize();
        Path out = state.resolve("out.txt");
        Path err = state.resolve("err.txt");
        ProcessBuilder launcher = new ProcessBuilder("bash", root.resolve("memberpulse").toString(), "token", "staff",
                "store-7").directory(root.toFile()).redirectOutput(out.toFile()).redirectError(err.toFile());
        launcher.environment().put("MEMBERPULSE_STATE", state.resolve("stack").toString());
        Process process = launcher.start();
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            throw new AssertionError("./memberpulse token did not finish within 120 s");
        }
        String printed = Files.readString(out, StandardCharsets.UTF_8).strip();
        assertThat(process.exitValue()).as(Files.readString(err, StandardCharsets.UTF_8)).isZero();

        // $(./memberpulse token) goes into an Authorization header: anything else on stdout would break it
        assertThat(printed).as("stdout holds the token alone").doesNotContain("\n");
        String[] parts = printed.split("\\.");
        assertThat(parts).as("a signed JWT: header.payload.signature").hasSize(3);
        String claims = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8);
        assertThat(claims).contains("\"store_id\":\"store-7\"").contains("\"staff\"");
        assertThat(state.resolve("stack").resolve("auth").resolve("token-signing.pub"))
                .as("the stack's public key, kept for the next command and the services").isRegularFile();
    }
}
