package io.memberpulse.devstack.infra;

import java.util.Locale;
import java.util.Map;

/**
 * Where the infrastructure is, read from the environment (the same variables the services read):
 * POSTGRES_HOST/PORT/USER/PASSWORD, REDIS_HOST/PORT/USERNAME/PASSWORD, KAFKA_BOOTSTRAP_SERVERS. MEMBERPULSE_EMBEDDED
 * ("postgres", "redis", "all", comma-separated) forces embedded servers even when configured ones
 * answer: that is how the fresh-machine path is exercised on a machine that has servers.
 */
public record InfraSettings(String postgresHost, int postgresPort, String postgresUser, String postgresPassword,
        String redisHost, int redisPort, String redisUsername, String redisPassword, String kafkaBootstrapServers, String forceEmbedded) {

    public static InfraSettings fromEnvironment() {
        return from(System.getenv());
    }

    public static InfraSettings from(Map<String, String> env) {
        return new InfraSettings(
                env.getOrDefault("POSTGRES_HOST", "127.0.0.1"),
                Integer.parseInt(env.getOrDefault("POSTGRES_PORT", "5432")),
                env.getOrDefault("POSTGRES_USER", "postgres"),
                env.getOrDefault("POSTGRES_PASSWORD", ""),
                env.getOrDefault("REDIS_HOST", "127.0.0.1"),
                Integer.parseInt(env.getOrDefault("REDIS_PORT", "6379")),
                blankToNull(env.get("REDIS_USERNAME")),
                blankToNull(env.get("REDIS_PASSWORD")),
                blankToNull(env.get("KAFKA_BOOTSTRAP_SERVERS")),
                env.getOrDefault("MEMBERPULSE_EMBEDDED", "").toLowerCase(Locale.ROOT));
    }

    public boolean embeddedForced(String server) {
        return forceEmbedded.contains("all") || forceEmbedded.contains(server);
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }
}
