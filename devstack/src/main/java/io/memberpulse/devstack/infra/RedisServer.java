package io.memberpulse.devstack.infra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.logging.Logger;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.ScanParams;
import redis.clients.jedis.ScanResult;

/**
 * A Redis server: the configured one when it answers PING, otherwise an embedded one
 * (embedded-redis ships a Linux redis-server binary) on a free port, keeping nothing on disk.
 */
public final class RedisServer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(RedisServer.class.getName());

    private final String host;
    private final int port;
    private final redis.embedded.RedisServer embedded;

    private RedisServer(String host, int port, redis.embedded.RedisServer embedded) {
        this.host = host;
        this.port = port;
        this.embedded = embedded;
    }

    public static RedisServer startOrReuse(InfraSettings settings) {
        if (!settings.embeddedForced("redis") && answersPing(settings.redisHost(), settings.redisPort())) {
            LOG.info(() -> "Redis: using the configured server at " + settings.redisHost() + ":" + settings.redisPort());
            return new RedisServer(settings.redisHost(), settings.redisPort(), null);
        }
        int port = FreePorts.next();
        try {
            redis.embedded.RedisServer embedded = redis.embedded.RedisServer.newRedisServer()
                    .port(port)
                    .bind("127.0.0.1")
                    .setting("save \"\"")
                    .setting("appendonly no")
                    .build();
            embedded.start();
            LOG.info(() -> "Redis: started an embedded server on port " + port);
            return new RedisServer("127.0.0.1", port, embedded);
        } catch (IOException e) {
            throw new UncheckedIOException("could not start an embedded Redis", e);
        }
    }

    private static boolean answersPing(String host, int port) {
        if (!FreePorts.answers(host, port, 500)) {
            return false;
        }
        try (Jedis jedis = new Jedis(host, port, 1000)) {
            return "PONG".equals(jedis.ping());
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** Deletes every key under the prefix; returns how many. */
    public long deleteKeys(String prefix) {
        long deleted = 0;
        try (Jedis jedis = new Jedis(host, port, 5000)) {
            String cursor = ScanParams.SCAN_POINTER_START;
            ScanParams params = new ScanParams().match(prefix + "*").count(1000);
            do {
                ScanResult<String> page = jedis.scan(cursor, params);
                if (!page.getResult().isEmpty()) {
                    deleted += jedis.del(page.getResult().toArray(String[]::new));
                }
                cursor = page.getCursor();
            } while (!ScanParams.SCAN_POINTER_START.equals(cursor));
        }
        return deleted;
    }

    public String url() {
        return "redis://" + host + ":" + port;
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    public boolean isEmbedded() {
        return embedded != null;
    }

    @Override
    public void close() {
        if (embedded != null) {
            try {
                embedded.stop();
            } catch (IOException e) {
                LOG.warning("embedded Redis did not stop cleanly: " + e.getMessage());
            }
        }
    }
}
