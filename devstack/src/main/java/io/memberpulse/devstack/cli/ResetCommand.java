package io.memberpulse.devstack.cli;

import io.memberpulse.devstack.infra.InfraSettings;
import io.memberpulse.devstack.infra.PostgresServer;
import io.memberpulse.devstack.infra.RedisServer;
import io.memberpulse.devstack.stack.ServiceSpec;
import java.io.PrintStream;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * {@code ./memberpulse reset}: forgets what the local stack kept, so that the next import starts from
 * nothing (a second data set imported on top of the demo's would otherwise mix with it, in the members,
 * the RFM and the churn models trained on them). Drops the four services' databases and deletes their Redis
 * keys on the configured servers; embedded servers and the broker memberpulse starts keep nothing between
 * runs. The launcher runs it only while the stack is down.
 */
final class ResetCommand {
    /** Held: JUL keeps loggers weakly, and a collected one forgets its level. The servers' INFO lines ("using
     * the configured server") would only repeat what this command prints. */
    private static final Logger INFRA_LOG = Logger.getLogger("io.memberpulse.devstack.infra");

    private ResetCommand() {
    }

    static int run(InfraSettings settings) {
        return run(settings, System.out);
    }

    /**
     * Looks for the configured servers only: when one is not there (or embedded servers are forced) the stack runs on
     * an embedded one, which keeps nothing between runs, so none is started just to find nothing in it.
     */
    static int run(InfraSettings settings, PrintStream out) {
        INFRA_LOG.setLevel(Level.WARNING);
        Optional<PostgresServer> configuredPostgres = PostgresServer.configured(settings);
        if (configuredPostgres.isEmpty()) {
            out.println("  PostgreSQL: none to use at " + settings.postgresHost() + ":" + settings.postgresPort()
                    + ", so the stack runs on an embedded one, which keeps nothing between runs: nothing to drop");
        }
        configuredPostgres.ifPresent(postgres -> {
            try (postgres) {
                for (ServiceSpec spec : ServiceSpec.values()) {
                    postgres.dropDatabase(spec.database());
                    out.println("  PostgreSQL " + postgres.host() + ":" + postgres.port() + ": dropped " + spec.database());
                }
            }
        });
        Optional<RedisServer> configuredRedis = RedisServer.configured(settings);
        if (configuredRedis.isEmpty()) {
            out.println("  Redis: none to use at " + settings.redisHost() + ":" + settings.redisPort()
                    + ", so the stack runs on an embedded one, which keeps nothing between runs: nothing to delete");
        }
        configuredRedis.ifPresent(redis -> {
            try (redis) {
                for (ServiceSpec spec : ServiceSpec.values()) {
                    long deleted = redis.deleteKeys(spec.redisKeyPrefix());
                    out.printf("  Redis %s:%d: deleted %,d keys under %s%n", redis.host(), redis.port(), deleted,
                            spec.redisKeyPrefix());
                }
            }
        });
        return 0;
    }
}
