package io.memberpulse.devstack.testing;

import io.memberpulse.devstack.infra.InfraSettings;
import io.memberpulse.devstack.infra.RedisServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;
import java.util.UUID;

/**
 * Redis for one test JVM: the configured server when it answers (else an embedded one), with a key
 * prefix of its own ({@code memberpulse.redis.key-prefix}) whose keys are deleted at the end.
 */
public class RedisTestResource implements QuarkusTestResourceLifecycleManager {
    private RedisServer server;
    private String keyPrefix;

    @Override
    public Map<String, String> start() {
        server = RedisServer.startOrReuse(InfraSettings.fromEnvironment());
        keyPrefix = "test-" + UUID.randomUUID().toString().substring(0, 8) + ":";
        return Map.of(
                "quarkus.redis.hosts", server.url(),
                "memberpulse.redis.key-prefix", keyPrefix);
    }

    @Override
    public void stop() {
        if (server != null) {
            server.deleteKeys(keyPrefix);
            server.close();
        }
    }
}
