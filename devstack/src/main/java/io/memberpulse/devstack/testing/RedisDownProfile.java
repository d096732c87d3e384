package io.memberpulse.devstack.testing;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.Map;

/**
 * Redis unreachable for the whole test: the service's client points at a port where nothing listens, as during a
 * failover. The rest of the infrastructure is the module's usual test resources.
 */
public class RedisDownProfile implements QuarkusTestProfile {
    /** A port where nothing listens (tcpmux, never served here). */
    public static final String DEAD_REDIS = "redis://127.0.0.1:1";

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("quarkus.redis.hosts", DEAD_REDIS);
    }
}
