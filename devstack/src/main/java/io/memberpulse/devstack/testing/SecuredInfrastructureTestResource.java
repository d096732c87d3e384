package io.memberpulse.devstack.testing;

import io.memberpulse.devstack.infra.KafkaServer;
import io.memberpulse.devstack.infra.PostgresServer;
import io.memberpulse.devstack.infra.RedisServer;
import io.memberpulse.devstack.infra.TlsMaterial;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * The infrastructure as a platform team secures it, in place of the Postgres, Redis and Kafka test
 * resources (a test profile that disables the global test resources lists it): every server speaks only
 * TLS, with a certificate from a throw-away CA, for localhost; Redis wants an ACL user and its password (the
 * default user is off) and Kafka a SCRAM-SHA-512 user (SASL_SSL). The service gets nothing but the variables a deployment sets (POSTGRES_*, REDIS_*,
 * KAFKA_*), not quarkus.* settings, so a test proves its own application.properties lines connect it,
 * checking each server's certificate and host name. Init arg {@code database}: the service's database name.
 */
public class SecuredInfrastructureTestResource implements QuarkusTestResourceLifecycleManager {
    private String database = "memberpulse_test";
    private PostgresServer postgres;
    private RedisServer redis;
    private KafkaServer kafka;

    @Override
    public void init(Map<String, String> initArgs) {
        database = initArgs.getOrDefault("database", database);
    }

    @Override
    public Map<String, String> start() {
        TlsMaterial tls;
        try {
            tls = TlsMaterial.generate(Files.createTempDirectory("memberpulse-tls"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String secret = "test-" + UUID.randomUUID();
        postgres = PostgresServer.startWithTls(tls);
        postgres.ensureDatabase(database);
        redis = RedisServer.startWithTls("memberpulse", secret, tls);
        kafka = KafkaServer.startWithScramUserOverTls("memberpulse", secret, tls);
        Map<String, String> config = new HashMap<>(postgres.clientEnvironment(database));
        config.putAll(redis.clientEnvironment());
        config.putAll(kafka.clientEnvironment());
        config.put("kafka.bootstrap.servers", kafka.bootstrapServers());
        config.put("memberpulse.redis.key-prefix", "test-" + UUID.randomUUID().toString().substring(0, 8) + ":");
        return config;
    }

    @Override
    public void stop() {
        for (AutoCloseable server : new AutoCloseable[] {kafka, redis, postgres}) {
            if (server != null) {
                try {
                    server.close();
                } catch (Exception e) {
                    throw new IllegalStateException("could not stop " + server, e);
                }
            }
        }
    }
}
