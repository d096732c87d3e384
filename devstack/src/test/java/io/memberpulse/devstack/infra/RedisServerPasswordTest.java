package io.memberpulse.devstack.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.RedisOptions;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A Redis that requires a password, reached as a service reaches it: the Vert.x client under
 * quarkus-redis-client, given the connection string the services build from REDIS_HOST and REDIS_PORT and
 * the password from REDIS_PASSWORD (quarkus.redis.password becomes RedisOptions.setPassword). Signed in, it
 * writes and reads; without the password, or with a wrong one, it is refused.
 */
class RedisServerPasswordTest {
    static final String PASSWORD = "pa55-" + UUID.randomUUID();

    static RedisServer server;
    static Vertx vertx;

    @BeforeAll
    static void start() {
        server = RedisServer.startWithPassword(PASSWORD);
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void stop() throws Exception {
        if (vertx != null) {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    void theServicesVariablesCarryThePassword() {
        assertThat(server.clientEnvironment())
                .containsEntry("REDIS_HOST", "127.0.0.1")
                .containsEntry("REDIS_PORT", String.valueOf(server.port()))
                .containsEntry("REDIS_PASSWORD", PASSWORD);
    }

    @Test
    void aClientWithThePasswordWritesAndReads() throws Exception {
        String key = "test-" + UUID.randomUUID();
        RedisAPI redis = client(server.clientEnvironment().get("REDIS_PASSWORD"));
        try {
            await(redis.set(List.of(key, "signed in")));
            assertThat(await(redis.get(key)).toString()).isEqualTo("signed in");
            await(redis.del(List.of(key)));
        } finally {
            redis.close();
        }
    }

    @Test
    void aClientWithoutThePasswordIsRefused() {
        RedisAPI redis = client(null);
        try {
            assertThatThrownBy(() -> await(redis.ping(List.of()))).hasMessageContaining("NOAUTH");
        } finally {
            redis.close();
        }
    }

    @Test
    void aWrongPasswordIsRefused() {
        RedisAPI redis = client(PASSWORD + "x");
        try {
            assertThatThrownBy(() -> await(redis.ping(List.of()))).hasMessageMatching("(?s).*(WRONGPASS|invalid password).*");
        } finally {
            redis.close();
        }
    }

    @Test
    void aServerWithoutPasswordSendsAnEmptyOne() {
        try (RedisServer open = RedisServer.startOrReuse(InfraSettings.from(Map.of("MEMBERPULSE_EMBEDDED", "redis")))) {
            assertThat(open.clientEnvironment()).containsEntry("REDIS_PASSWORD", "");
        }
    }

    @Test
    void aBlankPasswordIsRefusedAtStart() {
        assertThatThrownBy(() -> RedisServer.startWithPassword(" ")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("password");
    }

    /** As quarkus-redis-client's VertxRedisClientFactory builds it: the hosts URI, then the password when set. */
    private static RedisAPI client(String password) {
        Map<String, String> env = server.clientEnvironment();
        RedisOptions options = new RedisOptions().setConnectionString("redis://" + env.get("REDIS_HOST") + ":" + env.get("REDIS_PORT"));
        if (password != null) {
            options.setPassword(password);
        }
        return RedisAPI.api(Redis.createClient(vertx, options));
    }

    private static <T> T await(Future<T> future) throws Exception {
        try {
            return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new CompletionException(e.getCause().getMessage(), e.getCause());
        }
    }
}
