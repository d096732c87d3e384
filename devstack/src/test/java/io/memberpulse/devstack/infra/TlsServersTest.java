package io.memberpulse.devstack.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.memberpulse.proto.redis.RedisAddresses;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.RedisOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * PostgreSQL, Redis and Kafka each speaking only TLS with a certificate from a throw-away CA, reached with
 * exactly the settings the services take from their environment (POSTGRES_SSL_*, REDIS_TLS*,
 * KAFKA_SSL_TRUSTSTORE_*, as each client reads them): a client that trusts the CA connects, checking the
 * host name; a plaintext client and a client that trusts another CA are refused.
 */
class TlsServersTest {
    static final String PASSWORD = "pa55-" + UUID.randomUUID();

    static Path directory;
    static TlsMaterial tls;
    /** Another CA, which did not sign the servers' certificate. */
    static TlsMaterial stranger;
    static PostgresServer postgres;
    static RedisServer redis;
    static KafkaServer kafka;
    static Vertx vertx;

    @BeforeAll
    static void start() throws Exception {
        directory = Files.createTempDirectory("memberpulse-tls-test");
        tls = TlsMaterial.generate(directory.resolve("servers"));
        stranger = TlsMaterial.generate(directory.resolve("stranger"));
        postgres = PostgresServer.startWithTls(tls);
        redis = RedisServer.startWithTls("memberpulse-rfm", PASSWORD, tls);
        kafka = KafkaServer.startWithScramUserOverTls("memberpulse", PASSWORD, tls);
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void stop() throws Exception {
        if (vertx != null) {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        for (AutoCloseable server : new AutoCloseable[] {kafka, redis, postgres}) {
            if (server != null) {
                server.close();
            }
        }
    }

    @Test
    void theMaterialIsWhatTheServersAndClientsRead() throws Exception {
        assertThat(Files.readString(tls.caCertificatePem())).startsWith("-----BEGIN CERTIFICATE-----");
        assertThat(Files.readString(tls.serverPrivateKeyPem())).startsWith("-----BEGIN PRIVATE KEY-----");
        assertThat(Files.getPosixFilePermissions(tls.serverPrivateKeyPem())).hasSize(2); // owner read + write
    }

    @Test
    void postgresAnswersAVerifiedTlsConnection() throws Exception {
        Map<String, String> env = postgres.clientEnvironment("postgres");
        assertThat(env).containsEntry("POSTGRES_SSL_MODE", "verify-full")
                .containsEntry("POSTGRES_SSL_ROOT_CERT", tls.caCertificatePem().toString())
                .containsEntry("POSTGRES_HOST", "localhost");
        try (Connection connection = DriverManager.getConnection(postgresUrl(env, env.get("POSTGRES_SSL_MODE"),
                env.get("POSTGRES_SSL_ROOT_CERT")), env.get("POSTGRES_USER"), env.get("POSTGRES_PASSWORD"));
                ResultSet ssl = connection.createStatement()
                        .executeQuery("SELECT ssl, version FROM pg_stat_ssl WHERE pid = pg_backend_pid()")) {
            assertThat(ssl.next()).isTrue();
            assertThat(ssl.getBoolean("ssl")).isTrue();
            assertThat(ssl.getString("version")).startsWith("TLS");
        }
    }

    @Test
    void postgresRefusesPlaintextAndAnUnknownCa() {
        Map<String, String> env = postgres.clientEnvironment("postgres");
        assertThatThrownBy(() -> DriverManager.getConnection(postgresUrl(env, "disable", ""), "postgres", "").close())
                .isInstanceOf(SQLException.class).hasMessageContaining("no encryption");
        assertThatThrownBy(() -> DriverManager.getConnection(postgresUrl(env, "verify-full",
                stranger.caCertificatePem().toString()), "postgres", "").close())
                .isInstanceOf(SQLException.class).hasMessageContaining("SSL");
    }

    @Test
    void redisAnswersAVerifiedTlsConnectionWithThePassword() throws Exception {
        Map<String, String> env = redis.clientEnvironment();
        assertThat(env).containsEntry("REDIS_TLS", "true").containsEntry("REDIS_HOST", "localhost");
        RedisAPI client = redisClient(env, "rediss", env.get("REDIS_TLS_CA_FILE"));
        try {
            String key = "tls-" + UUID.randomUUID();
            await(client.set(List.of(key, "over TLS")));
            assertThat(await(client.get(key)).toString()).isEqualTo("over TLS");
        } finally {
            client.close();
        }
    }

    @Test
    void redisRefusesTheDefaultUserAndAWrongPassword() {
        Map<String, String> env = new HashMap<>(redis.clientEnvironment());
        assertThat(env).containsEntry("REDIS_USERNAME", "memberpulse-rfm");
        RedisAPI asDefault = redisClient(env, "rediss", env.get("REDIS_TLS_CA_FILE"), null);
        env.put("REDIS_PASSWORD", PASSWORD + "x");
        RedisAPI wrongPassword = redisClient(env, "rediss", env.get("REDIS_TLS_CA_FILE"));
        try {
            assertThatThrownBy(() -> await(asDefault.ping(List.of()))).hasMessageMatching("(?s).*(WRONGPASS|NOAUTH).*");
            assertThatThrownBy(() -> await(wrongPassword.ping(List.of()))).hasMessageMatching("(?s).*WRONGPASS.*");
        } finally {
            asDefault.close();
            wrongPassword.close();
        }
    }

    @Test
    void redisRefusesPlaintextAndAnUnknownCa() {
        Map<String, String> env = redis.clientEnvironment();
        RedisAPI plaintext = redisClient(env, "redis", null);
        RedisAPI fooled = redisClient(env, "rediss", stranger.caCertificatePem().toString());
        try {
            assertThatThrownBy(() -> await(plaintext.ping(List.of()))).isInstanceOf(Exception.class);
            assertThatThrownBy(() -> await(fooled.ping(List.of()))).hasMessageMatching("(?is).*(certif|ssl|handshake|PKIX).*");
        } finally {
            plaintext.close();
            fooled.close();
        }
    }

    @Test
    void kafkaSignsInOverVerifiedTls() throws Exception {
        assertThat(kafka.clientEnvironment()).containsEntry("KAFKA_SECURITY_PROTOCOL", "SASL_SSL")
                .containsEntry("KAFKA_SSL_TRUSTSTORE_LOCATION", tls.trustStore().toString());
        try (Admin admin = Admin.create(kafka.clientProperties())) {
            assertThat(admin.listTopics().names().get(30, TimeUnit.SECONDS)).contains("member.events");
        }
    }

    @Test
    void kafkaRefusesAClientThatTrustsAnotherCa() {
        Map<String, Object> fooled = new HashMap<>(kafka.clientProperties());
        fooled.put("ssl.truststore.location", stranger.trustStore().toString());
        fooled.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000);
        fooled.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
        try (Admin admin = Admin.create(fooled)) {
            assertThatThrownBy(() -> admin.describeCluster().clusterId().get(30, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(org.apache.kafka.common.errors.SslAuthenticationException.class);
        }
    }

    /** The services' JDBC URL (Flyway), as their application.properties build it from the POSTGRES_* variables. */
    private static String postgresUrl(Map<String, String> env, String sslMode, String rootCert) {
        return "jdbc:postgresql://" + env.get("POSTGRES_HOST") + ":" + env.get("POSTGRES_PORT") + "/" + env.get("POSTGRES_DB")
                + "?sslmode=" + sslMode + "&sslrootcert=" + rootCert;
    }

    /**
     * As quarkus-redis-client builds it from quarkus.redis.hosts, password and tls.trust-certificate-pem, with
     * the ACL user as RedisAclUser adds it.
     */
    private static RedisAPI redisClient(Map<String, String> env, String scheme, String caFile) {
        return redisClient(env, scheme, caFile, env.get("REDIS_USERNAME"));
    }

    private static RedisAPI redisClient(Map<String, String> env, String scheme, String caFile, String username) {
        String address = scheme + "://" + env.get("REDIS_HOST") + ":" + env.get("REDIS_PORT");
        RedisOptions options = new RedisOptions()
                .setConnectionString(username == null ? address
                        : RedisAddresses.withUser(List.of(address), username, env.get("REDIS_PASSWORD")).get(0))
                .setPassword(env.get("REDIS_PASSWORD"));
        if (caFile != null) {
            options.getNetClientOptions().setSsl(true).setHostnameVerificationAlgorithm("HTTPS")
                    .setTrustOptions(new PemTrustOptions().addCertPath(caFile));
        }
        return RedisAPI.api(Redis.createClient(vertx, options));
    }

    private static <T> T await(Future<T> future) throws Exception {
        try {
            return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new CompletionException(e.getCause().getMessage(), e.getCause());
        }
    }
}
