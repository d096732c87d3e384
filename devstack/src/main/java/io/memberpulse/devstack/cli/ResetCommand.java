package io.memberpulse.devstack.cli;

import io.memberpulse.devstack.infra.InfraSettings;
import io.memberpulse.devstack.infra.PostgresServer;
import io.memberpulse.devstack.infra.RedisServer;
import io.memberpulse.devstack.stack.ServiceSpec;
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
        INFRA_LOG.setLevel(Level.WARNING);
        try (PostgresServer postgres = PostgresServer.startOrReuse(settings)) {
            if (postgres.isEmbedded()) {
                System.out.println("  PostgreSQL: embedded, keeps nothing between runs");
            } else {
                for (ServiceSpec spec : ServiceSpec.values()) {
                    postgres.dropDatabase(spec.database());
                    System.out.println("  PostgreSQL " + postgres.host() + ":" + postgres.port() + ": dropped " + spec.database());
                }
            }
        }
        try (RedisServer redis = RedisServer.startOrReuse(settings)) {
            if (redis.isEmbedded()) {
                System.out.println("  Redis: embedded, keeps nothing between runs");
            } else {
                for (ServiceSpec spec : ServiceSpec.values()) {
                    long deleted = redis.deleteKeys(spec.redisKeyPrefix());
                    System.out.printf("  Redis %s:%d: deleted %,d keys under %s%n", redis.host(), redis.port(), deleted,
                            spec.redisKeyPrefix());
                }
            }
        }
        return 0;
    }
}
