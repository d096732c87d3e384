package io.memberpulse.devstack.stack;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class InfrastructureTest {

    @Test
    void eachServiceGetsItsOwnRedisKeyPrefixWhateverTheLauncherInherited() {
        // the prefixes 'reset' deletes under: one per service, never one shared
        for (ServiceSpec spec : ServiceSpec.values()) {
            assertThat(Infrastructure.stackDecided(spec, "", false, false))
                    .containsEntry("REDIS_KEY_PREFIX", spec.redisKeyPrefix());
        }
        assertThat(Arrays.stream(ServiceSpec.values()).map(ServiceSpec::redisKeyPrefix).distinct())
                .hasSize(ServiceSpec.values().length);
        assertThat(Infrastructure.stackDecided(ServiceSpec.CHURN, "e2e_7", false, false))
                .containsEntry("REDIS_KEY_PREFIX", "e2e_7:churn:");
    }

    @Test
    void theEmbeddedServersAreReachedInPlaintextAndConfiguredOnesAsTheOperatorSaid() {
        assertThat(Infrastructure.stackDecided(ServiceSpec.RFM, "", true, true))
                .containsEntry("POSTGRES_SSL_MODE", "disable").containsEntry("POSTGRES_SSL_ROOT_CERT", "")
                .containsEntry("REDIS_TLS", "false").containsEntry("REDIS_TLS_CA_FILE", "");
        assertThat(Infrastructure.stackDecided(ServiceSpec.RFM, "", false, false))
                .doesNotContainKeys("POSTGRES_SSL_MODE", "POSTGRES_SSL_ROOT_CERT", "REDIS_TLS", "REDIS_TLS_CA_FILE");
    }
}
