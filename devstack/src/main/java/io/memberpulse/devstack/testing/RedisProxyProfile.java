package io.memberpulse.devstack.testing;

import io.memberpulse.devstack.infra.InfraSettings;
import io.memberpulse.devstack.infra.RedisServer;
import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.Map;

/**
 * The service reaches Redis through a {@link RedisProxy} the test switches: Redis down, hanging, or back with the data
 * it held. The proxy forwards to the server RedisTestResource uses (the configured one, else an embedded one of its
 * own), keys under the same test prefix; one proxy per test JVM, closed with it.
 */
public class RedisProxyProfile implements QuarkusTestProfile {
    private static RedisProxy proxy;

    /** The proxy the service under this profile talks to. */
    public static synchronized RedisProxy proxy() {
        if (proxy == null) {
            RedisServer server = RedisServer.startOrReuse(InfraSettings.fromEnvironment());
            RedisProxy started = new RedisProxy(server.host(), server.port());
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                started.close();
                server.close();
            }, "redis-proxy-shutdown"));
            proxy = started;
        }
        return proxy;
    }

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("quarkus.redis.hosts", proxy().url());
    }
}
