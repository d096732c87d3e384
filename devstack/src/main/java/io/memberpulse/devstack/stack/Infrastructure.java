package io.memberpulse.devstack.stack;

import io.memberpulse.devstack.infra.InfraSettings;
import io.memberpulse.devstack.infra.KafkaServer;
import io.memberpulse.devstack.infra.PostgresServer;
import io.memberpulse.devstack.infra.RedisServer;
import java.util.LinkedHashMap;
import java.util.Map;

/** PostgreSQL (one database per service, created when missing), Redis and Kafka for the stack. */
public final class Infrastructure implements AutoCloseable {
    private final PostgresServer postgres;
    private final RedisServer redis;
    private final KafkaServer kafka;

    private Infrastructure(PostgresServer postgres, RedisServer redis, KafkaServer kafka) {
        this.postgres = postgres;
        this.redis = redis;
        this.kafka = kafka;
    }

    public static Infrastructure start(InfraSettings settings) {
        PostgresServer postgres = PostgresServer.startOrReuse(settings);
        RedisServer redis = null;
        try {
            redis = RedisServer.startOrReuse(settings);
            KafkaServer kafka = KafkaServer.startOrReuse(settings);
            for (ServiceSpec spec : ServiceSpec.values()) {
                postgres.ensureDatabase(spec.database());
            }
            return new Infrastructure(postgres, redis, kafka);
        } catch (RuntimeException e) {
            if (redis != null) {
                redis.close();
            }
            postgres.close();
            throw e;
        }
    }

    /** The variables a service process reads (see each service's application.properties). */
    public Map<String, String> environmentFor(ServiceSpec spec) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("POSTGRES_HOST", postgres.host());
        env.put("POSTGRES_PORT", String.valueOf(postgres.port()));
        env.put("POSTGRES_USER", postgres.user());
        env.put("POSTGRES_PASSWORD", postgres.password());
        env.put("POSTGRES_DB", spec.database());
        env.put("REDIS_HOST", redis.host());
        env.put("REDIS_PORT", String.valueOf(redis.port()));
        env.put("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
        return env;
    }

    public String describe() {
        return "PostgreSQL " + postgres.host() + ":" + postgres.port() + (postgres.isEmbedded() ? " (embedded)" : "")
                + ", Redis " + redis.host() + ":" + redis.port() + (redis.isEmbedded() ? " (embedded)" : "")
                + ", Kafka " + kafka.bootstrapServers() + (kafka.isEmbedded() ? " (started by memberpulse)" : "");
    }

    public PostgresServer postgres() {
        return postgres;
    }

    public RedisServer redis() {
        return redis;
    }

    public KafkaServer kafka() {
        return kafka;
    }

    @Override
    public void close() {
        kafka.close();
        redis.close();
        postgres.close();
    }
}
