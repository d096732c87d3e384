package io.memberpulse.k8s;

import static io.memberpulse.k8s.ServiceWorkload.configData;
import static io.memberpulse.k8s.ServiceWorkload.env;
import static io.memberpulse.k8s.ServiceWorkload.pod;
import static io.memberpulse.k8s.ServiceWorkload.secretKey;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * global.redis (password, TLS, CA) and global.postgres (sslMode, CA), and each service's redis.* / postgres.*,
 * reach every service as the REDIS_* / POSTGRES_SSL_* variables its application.properties reads: the password
 * only from its Secret, CAs as mounted files; nothing at all when unset.
 */
class DatastoreSecurityTest {
    static final Set<String> VARIABLES = Set.of("REDIS_TLS", "REDIS_TLS_CA_FILE", "REDIS_USERNAME", "REDIS_PASSWORD",
            "POSTGRES_SSL_MODE", "POSTGRES_SSL_ROOT_CERT");
    static final Map<String, Object> MANAGED = Map.of(
            "global.redis.tls", true,
            "global.redis.username", "memberpulse",
            "global.redis.passwordSecret.name", "memberpulse-redis",
            "global.redis.passwordSecret.key", "auth-token",
            "global.redis.ca.secretName", "redis-server-ca",
            "global.postgres.sslMode", "verify-full",
            "global.postgres.ca.configMapName", "rds-ca-bundle",
            "global.postgres.ca.key", "global-bundle.pem");

    @Test
    void unsetRendersNoDatastoreSecurityAtAll() {
        List<Manifest> manifests = Charts.defaults();
        for (String service : Charts.SERVICES) {
            assertThat(configData(manifests, service)).doesNotContainKeys(VARIABLES.toArray(String[]::new));
            Container container = ServiceChartsTest.container(manifests, service);
            assertThat(container.getEnv()).extracting(EnvVar::getName).doesNotContainAnyElementsOf(VARIABLES);
            assertThat(container.getVolumeMounts()).isEmpty();
            assertThat(pod(manifests, service).getVolumes()).isEmpty();
        }
    }

    @Test
    void managedRedisAndPostgresReachEveryServiceWithThePasswordOnlyFromItsSecret() {
        List<Manifest> manifests = Charts.render(Charts.UMBRELLA, MANAGED);
        for (String service : Charts.SERVICES) {
            Map<String, String> data = configData(manifests, service);
            assertThat(data).containsEntry("REDIS_TLS", "true")
                    .containsEntry("REDIS_TLS_CA_FILE", "/etc/memberpulse/redis-ca/ca.crt")
                    .containsEntry("REDIS_USERNAME", "memberpulse")
                    .containsEntry("POSTGRES_SSL_MODE", "verify-full")
                    .containsEntry("POSTGRES_SSL_ROOT_CERT", "/etc/memberpulse/postgres-ca/global-bundle.pem")
                    .doesNotContainKey("REDIS_PASSWORD");

            Map<String, EnvVar> env = env(manifests, service);
            assertThat(secretKey(env.get("REDIS_PASSWORD"))).isEqualTo("memberpulse-redis/auth-token");

            Container container = ServiceChartsTest.container(manifests, service);
            assertThat(container.getVolumeMounts()).extracting(VolumeMount::getName, VolumeMount::getMountPath, VolumeMount::getReadOnly)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("redis-ca", "/etc/memberpulse/redis-ca", true),
                            org.assertj.core.groups.Tuple.tuple("postgres-ca", "/etc/memberpulse/postgres-ca", true));
            Map<String, Volume> volumes = pod(manifests, service).getVolumes().stream()
                    .collect(Collectors.toMap(Volume::getName, v -> v));
            assertThat(volumes.get("redis-ca").getSecret().getSecretName()).isEqualTo("redis-server-ca");
            assertThat(volumes.get("redis-ca").getSecret().getItems()).singleElement()
                    .satisfies(item -> assertThat(item.getKey()).isEqualTo("ca.crt"));
            assertThat(volumes.get("postgres-ca").getConfigMap().getName()).isEqualTo("rds-ca-bundle");
            assertThat(volumes.get("postgres-ca").getConfigMap().getItems()).singleElement()
                    .satisfies(item -> assertThat(item.getPath()).isEqualTo("global-bundle.pem"));

            Set<String> read = new HashSet<>(ServiceConfig.of(service).environment());
            assertThat(read).as("%s reads every datastore variable the chart sets", service).containsAll(VARIABLES);
        }
    }

    @Test
    void caFilesForKafkaRedisAndPostgresMountSideBySide() {
        Map<String, Object> values = new HashMap<>(MANAGED);
        values.putAll(KafkaSecurityTest.SASL_SSL);
        List<Manifest> manifests = Charts.render(Charts.UMBRELLA, values);
        assertThat(ServiceChartsTest.container(manifests, "churn-service").getVolumeMounts()).extracting(VolumeMount::getName)
                .containsExactly("kafka-truststore", "redis-ca", "postgres-ca");
        assertThat(pod(manifests, "churn-service").getVolumes()).extracting(Volume::getName)
                .containsExactly("kafka-truststore", "redis-ca", "postgres-ca");
        assertThat(env(manifests, "churn-service")).containsKeys("REDIS_PASSWORD", "KAFKA_SASL_JAAS_CONFIG");
    }

    @Test
    void aServiceOverridesOneFieldAndKeepsTheRest() {
        Map<String, Object> values = new HashMap<>(MANAGED);
        values.put("campaign-service.redis.passwordSecret.name", "campaign-redis");
        values.put("campaign-service.redis.username", "campaign");
        values.put("rfm-service.redis.tls", false);
        values.put("churn-service.postgres.sslMode", "verify-ca");
        values.put("identity-service.postgres.sslMode", "require");
        List<Manifest> manifests = Charts.render(Charts.UMBRELLA, values);

        assertThat(secretKey(env(manifests, "campaign-service").get("REDIS_PASSWORD"))).isEqualTo("campaign-redis/auth-token");
        assertThat(configData(manifests, "campaign-service")).containsEntry("REDIS_TLS", "true")
                .containsEntry("REDIS_USERNAME", "campaign");
        assertThat(configData(manifests, "churn-service")).containsEntry("REDIS_USERNAME", "memberpulse");
        // a service's false wins over global.redis.tls=true and drops the global CA with it
        Map<String, String> rfm = configData(manifests, "rfm-service");
        assertThat(rfm).doesNotContainKeys("REDIS_TLS", "REDIS_TLS_CA_FILE");
        assertThat(secretKey(env(manifests, "rfm-service").get("REDIS_PASSWORD"))).isEqualTo("memberpulse-redis/auth-token");
        assertThat(configData(manifests, "churn-service")).containsEntry("POSTGRES_SSL_MODE", "verify-ca")
                .containsEntry("POSTGRES_SSL_ROOT_CERT", "/etc/memberpulse/postgres-ca/global-bundle.pem");
        assertThat(configData(manifests, "identity-service")).containsEntry("POSTGRES_SSL_MODE", "require")
                .doesNotContainKey("POSTGRES_SSL_ROOT_CERT");
        assertThat(pod(manifests, "identity-service").getVolumes()).extracting(Volume::getName).containsExactly("redis-ca");
        assertThat(configData(manifests, "rfm-service")).containsEntry("POSTGRES_SSL_MODE", "verify-full");
    }

    @Test
    void requireNeedsNoCaAndTlsNeedsNoPassword() {
        List<Manifest> manifests = Charts.render("rfm-service", Map.of("postgres.sslMode", "require", "redis.tls", true));
        assertThat(configData(manifests, "rfm-service")).containsEntry("POSTGRES_SSL_MODE", "require").containsEntry("REDIS_TLS", "true")
                .doesNotContainKeys("POSTGRES_SSL_ROOT_CERT", "REDIS_TLS_CA_FILE");
        assertThat(env(manifests, "rfm-service")).doesNotContainKey("REDIS_PASSWORD");
        assertThat(pod(manifests, "rfm-service").getVolumes()).isEmpty();
    }

    @Test
    void incompleteOrContradictorySettingsFailToRender() {
        assertThatThrownBy(() -> Charts.template("rfm-service", Map.of("postgres.sslMode", "verify_full")))
                .hasMessageContaining("postgres.sslMode \"verify_full\" must be disable, require, verify-ca or verify-full");
        assertThatThrownBy(() -> Charts.template("rfm-service", Map.of("postgres.sslMode", "verify-ca")))
                .hasMessageContaining("postgres.sslMode verify-ca needs postgres.ca");
        assertThatThrownBy(() -> Charts.template("rfm-service", Map.of("postgres.sslMode", "require",
                "postgres.ca.secretName", "pg-ca")))
                .hasMessageContaining("postgres.ca is set but postgres.sslMode is \"require\"");
        assertThatThrownBy(() -> Charts.template("rfm-service", Map.of("redis.username", "rfm")))
                .hasMessageContaining("redis.username is set but redis.passwordSecret.name is not");
        assertThatThrownBy(() -> Charts.template("rfm-service", Map.of("redis.ca.secretName", "redis-ca")))
                .hasMessageContaining("redis.ca is set but redis.tls is false");
        assertThatThrownBy(() -> Charts.template("rfm-service", Map.of("redis.tls", true,
                "redis.ca.secretName", "a", "redis.ca.configMapName", "b")))
                .hasMessageContaining("redis.ca: set secretName or configMapName, not both");
    }
}
