package io.memberpulse.devstack.stack;

import io.memberpulse.devstack.infra.InfraSettings;
import io.memberpulse.devstack.infra.KafkaServer;
import io.memberpulse.devstack.infra.PostgresServer;
import io.memberpulse.devstack.infra.RedisServer;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * PostgreSQL (one database per service, created when missing), Redis and Kafka for the stack.
 * An isolated stack (end-to-end tests) gets databases and Redis key prefixes of its own, named
 * after its isolation id, and removes them when closed: it can share servers that already run.
 */
public final class Infrastructure implements AutoCloseable {
    private final PostgresServer postgres;
    private final RedisServer redis;
    private final KafkaServer kafka;
    private final String isolation;

    private Infrastructure(PostgresServer postgres, RedisServer redis, KafkaServer kafka, String isolation) {
        this.postgres = postgres;
        this.redis = redis;
        this.kafka = kafka;
        this.isolation = isolation;
    }

    /** The local stack: the services' own databases and key prefixes, kept. */
    public static Infrastructure start(InfraSettings settings) {
        return start(settings, "");
    }

    /** @param isolation empty, or a lower-case id ([a-z0-9_]) naming this stack's own databases and keys */
    public static Infrastructure start(InfraSettings settings, String isolation) {
        if (!isolation.matches("[a-z0-9_]*")) {
            throw new IllegalArgumentException("isolation id must be [a-z0-9_]: " + isolation);
        }
        PostgresServer postgres = PostgresServer.startOrReuse(settings);
        RedisServer redis = null;
        try {
            redis = RedisServer.startOrReuse(settings);
            KafkaServer kafka = KafkaServer.startOrReuse(settings);
            Infrastructure infrastructure = new Infrastructure(postgres, redis, kafka, isolation);
            for (ServiceSpec spec : ServiceSpec.values()) {
                postgres.ensureDatabase(infrastructure.databaseOf(spec));
            }
            return infrastructure;
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
        env.putAll(postgres.clientEnvironment(databaseOf(spec)));
        env.putAll(redis.clientEnvironment());
        stackDecided(spec, isolation, postgres.isEmbedded(), redis.isEmbedded()).forEach(env::putIfAbsent);
        env.put("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
        return env;
    }

    /**
     * What the stack decides for a service whatever the launcher's own environment holds, since a service process
     * inherits that environment: its own Redis key prefix (an exported REDIS_KEY_PREFIX would put all four services
     * under one, their keys colliding, and 'reset' would delete under the wrong one), and plaintext to the servers the
     * stack embeds (a POSTGRES_SSL_MODE or REDIS_TLS exported for another server would make every service fail to
     * connect). Settings for configured servers (TLS, SASL) are the operator's and pass through.
     */
    static Map<String, String> stackDecided(ServiceSpec spec, String isolation, boolean postgresEmbedded,
            boolean redisEmbedded) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("REDIS_KEY_PREFIX", isolation.isEmpty() ? spec.redisKeyPrefix()
                : isolation + ":" + spec.name().toLowerCase(java.util.Locale.ROOT) + ":");
        if (postgresEmbedded) {
            env.put("POSTGRES_SSL_MODE", "disable");
            env.put("POSTGRES_SSL_ROOT_CERT", "");
        }
        if (redisEmbedded) {
            env.put("REDIS_TLS", "false");
            env.put("REDIS_TLS_CA_FILE", "");
        }
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

    public String databaseOf(ServiceSpec spec) {
        return isolation.isEmpty() ? spec.database() : spec.database() + "_" + isolation;
    }

    private String redisPrefix() {
        return isolation + ":";
    }

    @Override
    public void close() {
        if (!isolation.isEmpty()) {
            for (ServiceSpec spec : ServiceSpec.values()) {
                postgres.dropDatabase(databaseOf(spec));
            }
            redis.deleteKeys(redisPrefix());
        }
        kafka.close();
        redis.close();
        postgres.close();
    }
}
