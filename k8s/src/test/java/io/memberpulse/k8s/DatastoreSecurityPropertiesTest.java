package io.memberpulse.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.smallrye.config.EnvConfigSource;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/**
 * What each service's application.properties makes of the variables the chart sets (REDIS_TLS,
 * REDIS_PASSWORD, REDIS_TLS_CA_FILE, POSTGRES_SSL_MODE, POSTGRES_SSL_ROOT_CERT), resolved by SmallRye Config
 * as Quarkus resolves them, environment over file: the Quarkus settings they must become. rfm-service's
 * SecuredInfrastructureTest runs the same variables against servers that accept only TLS.
 */
class DatastoreSecurityPropertiesTest {

    @Test
    void unsetMeansNoAuthNoTlsAsBefore() {
        for (String service : Charts.SERVICES) {
            SmallRyeConfig config = config(service, Map.of("REDIS_PASSWORD", ""));
            assertThat(config.getValue("quarkus.redis.hosts", String.class)).isEqualTo("redis://127.0.0.1:6379");
            assertThat(config.getOptionalValue("quarkus.redis.password", String.class)).as("empty is no AUTH").isEmpty();
            assertThat(config.getOptionalValue("redis-acl.username", String.class)).as("the default user").isEmpty();
            assertThat(config.getOptionalValue("quarkus.redis.tls.trust-certificate-pem.certs", String.class)).isEmpty();
            assertThat(config.getValue("quarkus.datasource.reactive.postgresql.ssl-mode", String.class)).isEqualTo("disable");
            assertThat(config.getValue("quarkus.datasource.reactive.trust-all", Boolean.class)).isFalse();
            assertThat(config.getOptionalValue("quarkus.datasource.reactive.trust-certificate-pem.certs", String.class)).isEmpty();
            assertThat(config.getValue("quarkus.datasource.jdbc.url", String.class)).contains("?sslmode=disable&");
        }
    }

    @Test
    void managedRedisAndVerifiedPostgres() {
        for (String service : Charts.SERVICES) {
            SmallRyeConfig config = config(service, Map.of("REDIS_HOST", "cache.example.com", "REDIS_TLS", "true",
                    "REDIS_USERNAME", "memberpulse", "REDIS_PASSWORD", "s3cret",
                    "REDIS_TLS_CA_FILE", "/etc/memberpulse/redis-ca/ca.crt",
                    "POSTGRES_SSL_MODE", "verify-full", "POSTGRES_SSL_ROOT_CERT", "/etc/memberpulse/postgres-ca/ca.crt"));
            assertThat(config.getValue("quarkus.redis.hosts", String.class)).isEqualTo("rediss://cache.example.com:6379");
            assertThat(config.getValue("quarkus.redis.password", String.class)).isEqualTo("s3cret");
            assertThat(config.getValue("redis-acl.username", String.class)).as("read by proto's RedisAclUser")
                    .isEqualTo("memberpulse");
            assertThat(config.getValue("quarkus.redis.tls.trust-certificate-pem.certs", String.class))
                    .isEqualTo("/etc/memberpulse/redis-ca/ca.crt");
            assertThat(config.getValue("quarkus.redis.tls.hostname-verification-algorithm", String.class)).isEqualTo("HTTPS");
            assertThat(config.getValue("quarkus.datasource.reactive.postgresql.ssl-mode", String.class)).isEqualTo("verify-full");
            assertThat(config.getValue("quarkus.datasource.reactive.trust-all", Boolean.class)).isFalse();
            assertThat(config.getValue("quarkus.datasource.reactive.hostname-verification-algorithm", String.class)).isEqualTo("HTTPS");
            assertThat(config.getValue("quarkus.datasource.reactive.trust-certificate-pem.certs", String.class))
                    .isEqualTo("/etc/memberpulse/postgres-ca/ca.crt");
            assertThat(config.getValue("quarkus.datasource.jdbc.url", String.class))
                    .endsWith("?sslmode=verify-full&sslrootcert=/etc/memberpulse/postgres-ca/ca.crt");
        }
    }

    @Test
    void requireEncryptsWithoutCheckingLikeLibpq() {
        for (String service : Charts.SERVICES) {
            SmallRyeConfig config = config(service, Map.of("POSTGRES_SSL_MODE", "require"));
            assertThat(config.getValue("quarkus.datasource.reactive.trust-all", Boolean.class)).isTrue();
            assertThat(config.getValue("quarkus.datasource.reactive.hostname-verification-algorithm", String.class)).isEqualTo("NONE");
            assertThat(config.getValue("quarkus.datasource.jdbc.url", String.class)).contains("?sslmode=require&");
        }
    }

    @Test
    void aRedisTlsValueOtherThanTrueOrFalseStopsTheStart() {
        SmallRyeConfig config = config("rfm-service", Map.of("REDIS_TLS", "yes"));
        assertThatThrownBy(() -> config.getValue("quarkus.redis.hosts", String.class)).hasMessageContaining("redis-tls.scheme-yes");
    }

    static SmallRyeConfig config(String service, Map<String, String> environment) {
        Properties file = new Properties();
        try (Reader reader = Files.newBufferedReader(ServiceConfig.properties(service))) {
            file.load(reader);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, String> properties = new HashMap<>();
        file.forEach((key, value) -> properties.put((String) key, (String) value));
        return new SmallRyeConfigBuilder().addDefaultInterceptors()
                .withSources(new PropertiesConfigSource(properties, "application.properties", 250),
                        new EnvConfigSource(environment, 300))
                .build();
    }
}
