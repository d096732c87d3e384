package io.memberpulse.devstack.testing;

import io.memberpulse.devstack.infra.RedisServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * An embedded Redis that refuses clients without its password, in place of RedisTestResource (a test
 * profile that disables the global test resources lists it). The service gets only the REDIS_* variables a
 * deployment sets (RedisServer.clientEnvironment()), not quarkus.redis.hosts, so its own application.properties
 * lines build the connection: a test proves those variables alone sign it in.
 */
public class PasswordRedisTestResource implements QuarkusTestResourceLifecycleManager {
    private RedisServer server;

    @Override
    public Map<String, String> start() {
        server = RedisServer.startWithPassword("test-" + UUID.randomUUID());
        Map<String, String> config = new HashMap<>(server.clientEnvironment());
        config.put("memberpulse.redis.key-prefix", "test-" + UUID.randomUUID().toString().substring(0, 8) + ":");
        return config;
    }

    @Override
    public void stop() {
        if (server != null) {
            server.close();
        }
    }
}
