package io.memberpulse.devstack.infra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Logger;
import java.util.stream.Stream;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.ScanParams;
import redis.clients.jedis.ScanResult;

/**
 * A Redis server: the configured one when it answers PING (signed in with REDIS_PASSWORD when set),
 * otherwise an embedded one (embedded-redis ships a Linux redis-server binary) on a free port, keeping
 * nothing on disk. {@link #startWithPassword} starts one that refuses clients without the password, as
 * managed Redis does; {@link #startWithTls} one that speaks only TLS to one Redis ACL user.
 */
public final class RedisServer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(RedisServer.class.getName());

    private final String host;
    private final int port;
    /** null: the default user (AUTH password), else a Redis ACL user (AUTH username password) */
    private final String username;
    /** null: no AUTH */
    private final String password;
    private final redis.embedded.RedisServer embedded;
    /** null: plaintext */
    private final TlsMaterial tls;

    private RedisServer(String host, int port, String username, String password, redis.embedded.RedisServer embedded,
            TlsMaterial tls) {
        this.host = host;
        this.port = port;
        this.username = username;
        this.password = password;
        this.embedded = embedded;
        this.tls = tls;
    }

    public static RedisServer startOrReuse(InfraSettings settings) {
        return configured(settings).orElseGet(() -> startEmbedded(null, null, null));
    }

    /**
     * The configured server when it answers PING and embedded servers are not forced: the one the stack and the tests
     * use. Empty otherwise, when they start an embedded one instead; nothing is started here.
     */
    public static Optional<RedisServer> configured(InfraSettings settings) {
        if (settings.embeddedForced("redis")
                || !answersPing(settings.redisHost(), settings.redisPort(), settings.redisUsername(), settings.redisPassword())) {
            return Optional.empty();
        }
        LOG.info(() -> "Redis: using the configured server at " + settings.redisHost() + ":" + settings.redisPort());
        return Optional.of(new RedisServer(settings.redisHost(), settings.redisPort(), settings.redisUsername(),
                settings.redisPassword(), null, null));
    }

    /** An embedded server that answers only clients signed in with this password (requirepass). */
    public static RedisServer startWithPassword(String password) {
        return startEmbedded(null, requireUsablePassword(password), null);
    }

    /**
     * An embedded server that answers only TLS connections (its plaintext port closed), with the certificate in
     * tls, from clients signed in as the Redis ACL user username with this password; the default user is off.
     * Clients reach it as localhost, the name in the certificate, and need not show one of their own.
     */
    public static RedisServer startWithTls(String username, String password, TlsMaterial tls) {
        if (username == null || !username.matches("[A-Za-z0-9_-]+")) {
            throw new IllegalArgumentException("a Redis ACL user name must be [A-Za-z0-9_-]+");
        }
        return startEmbedded(username, requireUsablePassword(password), tls);
    }

    private static String requireUsablePassword(String password) {
        if (password == null || password.isBlank() || password.matches(".*[\\s\"].*")) {
            throw new IllegalArgumentException("a Redis password must be non-blank, without spaces or quotes");
        }
        return password;
    }

    private static RedisServer startEmbedded(String username, String password, TlsMaterial tls) {
        int port = FreePorts.next();
        try {
            // With TLS the plaintext port is 0 (none) and the TLS port is the server's one.
            var builder = redis.embedded.RedisServer.newRedisServer()
                    .port(tls != null ? 0 : port)
                    .bind("127.0.0.1")
                    .setting("save \"\"")
                    .setting("appendonly no");
            if (username != null) {
                // Only this user signs in, to every key and channel, as a service's user would.
                builder.setting("user default off").setting("user " + username + " on >" + password + " ~* &* +@all");
            } else if (password != null) {
                builder.setting("requirepass " + password);
            }
            if (tls != null) {
                builder.setting("tls-port " + port)
                        .setting("tls-cert-file " + tls.serverCertificatePem())
                        .setting("tls-key-file " + tls.serverPrivateKeyPem())
                        .setting("tls-ca-cert-file " + tls.caCertificatePem())
                        .setting("tls-auth-clients no");
            }
            redis.embedded.RedisServer embedded = builder.build();
            embedded.start();
            LOG.info(() -> "Redis: started an embedded server on port " + port + (tls != null ? " (TLS only)" : "")
                    + (username != null ? " (ACL user " + username + ")" : password != null ? " (password required)" : ""));
            return new RedisServer(tls != null ? "localhost" : "127.0.0.1", port, username, password, embedded, tls);
        } catch (IOException e) {
            throw new UncheckedIOException("could not start an embedded Redis", e);
        }
    }

    private static boolean answersPing(String host, int port, String username, String password) {
        if (!FreePorts.answers(host, port, 500)) {
            return false;
        }
        try (Jedis jedis = new Jedis(host, port, 1000)) {
            signIn(jedis, username, password);
            return "PONG".equals(jedis.ping());
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static void signIn(Jedis jedis, String username, String password) {
        if (username != null) {
            jedis.auth(username, password);
        } else if (password != null) {
            jedis.auth(password);
        }
    }

    /**
     * The variables a service reads to reach this server (see its application.properties): REDIS_HOST,
     * REDIS_PORT, REDIS_USERNAME and REDIS_PASSWORD, empty when the server has none (so an inherited one is not
     * sent); with TLS also REDIS_TLS=true and REDIS_TLS_CA_FILE.
     */
    public Map<String, String> clientEnvironment() {
        Map<String, String> environment = new LinkedHashMap<>();
        environment.put("REDIS_HOST", host);
        environment.put("REDIS_PORT", String.valueOf(port));
        environment.put("REDIS_USERNAME", username == null ? "" : username);
        environment.put("REDIS_PASSWORD", password == null ? "" : password);
        if (tls != null) {
            environment.put("REDIS_TLS", "true");
            environment.put("REDIS_TLS_CA_FILE", tls.caCertificatePem().toString());
        }
        return environment;
    }

    /** Deletes every key under the prefix; returns how many. */
    public long deleteKeys(String prefix) {
        long deleted = 0;
        try (Jedis jedis = new Jedis(host, port, 5000)) {
            signIn(jedis, username, password);
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

    /**
     * The keys under the prefix whose name or content (a string's value, a hash's fields and values, a set's, sorted
     * set's or list's members) contains the text: what an erasure check scans for.
     */
    public List<String> keysMentioning(String prefix, String text) {
        List<String> found = new ArrayList<>();
        try (Jedis jedis = new Jedis(host, port, 5000)) {
            signIn(jedis, username, password);
            String cursor = ScanParams.SCAN_POINTER_START;
            ScanParams params = new ScanParams().match(prefix + "*").count(1000);
            do {
                ScanResult<String> page = jedis.scan(cursor, params);
                for (String key : page.getResult()) {
                    if (key.contains(text) || contentOf(jedis, key).stream().anyMatch(item -> item.contains(text))) {
                        found.add(key);
                    }
                }
                cursor = page.getCursor();
            } while (!ScanParams.SCAN_POINTER_START.equals(cursor));
        }
        return found;
    }

    private static List<String> contentOf(Jedis jedis, String key) {
        return switch (jedis.type(key)) {
            case "string" -> Optional.ofNullable(jedis.get(key)).stream().toList();
            case "hash" -> jedis.hgetAll(key).entrySet().stream()
                    .flatMap(entry -> Stream.of(entry.getKey(), entry.getValue())).toList();
            case "set" -> List.copyOf(jedis.smembers(key));
            case "zset" -> List.copyOf(jedis.zrange(key, 0, -1));
            case "list" -> jedis.lrange(key, 0, -1);
            default -> List.of(); // gone meanwhile, or a type no service writes
        };
    }

    public String url() {
        return (tls != null ? "rediss://" : "redis://") + host + ":" + port;
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
