package io.memberpulse.devstack.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.memberpulse.devstack.infra.FreePorts;
import io.memberpulse.devstack.infra.InfraSettings;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * reset drops what the configured servers keep; where the stack runs on embedded servers, which keep nothing, it
 * says so without starting one (an embedded PostgreSQL takes seconds to start, only to be found empty).
 */
class ResetCommandTest {

    @Test
    void withNoServerAtTheConfiguredAddressesNothingIsStartedAndNothingIsDropped() {
        int postgresPort = FreePorts.next();
        int redisPort = FreePorts.next();

        String printed = reset(InfraSettings.from(Map.of("POSTGRES_PORT", String.valueOf(postgresPort),
                "REDIS_PORT", String.valueOf(redisPort))));

        assertThat(printed)
                .contains("PostgreSQL: none to use at 127.0.0.1:" + postgresPort)
                .contains("Redis: none to use at 127.0.0.1:" + redisPort)
                .doesNotContain("dropped", "deleted");
    }

    @Test
    void withEmbeddedServersForcedTheConfiguredOnesAreLeftAlone() {
        String printed = reset(InfraSettings.from(Map.of("MEMBERPULSE_EMBEDDED", "all")));

        assertThat(printed).contains("PostgreSQL: none to use", "Redis: none to use").doesNotContain("dropped", "deleted");
    }

    private static String reset(InfraSettings settings) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThat(ResetCommand.run(settings, new PrintStream(out, true, StandardCharsets.UTF_8))).isZero();
        return out.toString(StandardCharsets.UTF_8);
    }
}
