package io.memberpulse.devstack.testing;

import io.memberpulse.devstack.infra.InfraSettings;
import io.memberpulse.devstack.infra.PostgresServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;
import java.util.UUID;

/**
 * A database of its own for one test JVM: on the configured PostgreSQL when it answers (else an
 * embedded one), named {@code <database>_t<random>} so that two runs never collide, dropped at the
 * end. Init arg {@code database}: the service's database name, e.g. memberpulse_rfm.
 */
public class PostgresTestResource implements QuarkusTestResourceLifecycleManager {
    private String baseName = "memberpulse_test";
    private PostgresServer server;
    private String database;

    @Override
    public void init(Map<String, String> initArgs) {
        baseName = initArgs.getOrDefault("database", baseName);
    }

    @Override
    public Map<String, String> start() {
        server = PostgresServer.startOrReuse(InfraSettings.fromEnvironment());
        database = baseName + "_t" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        server.ensureDatabase(database);
        return Map.of(
                "quarkus.datasource.reactive.url", server.reactiveUrl(database),
                "quarkus.datasource.jdbc.url", server.jdbcUrl(database),
                "quarkus.datasource.username", server.user(),
                "quarkus.datasource.password", server.password());
    }

    @Override
    public void stop() {
        if (server != null) {
            server.dropDatabase(database);
            server.close();
        }
    }
}
