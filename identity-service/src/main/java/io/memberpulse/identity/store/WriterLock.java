package io.memberpulse.identity.store;

import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.pgclient.PgConnection;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.SslMode;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * The PostgreSQL advisory lock that makes one instance the writer of the identity graph. Session
 * locks live as long as their connection, so the lock is taken and held on a connection of its own,
 * not one of the pool's (a pooled connection returned to the pool keeps its session, and the lock): if
 * this process dies or its connection drops, PostgreSQL releases the lock and another instance can take it. Advisory locks are per database, so each database has one writer.
 */
@ApplicationScoped
public class WriterLock {
    /** The lock's key: any fixed bigint, the same in every instance ("mpidwrit" in ASCII). */
    public static final long KEY = 0x6d70696477726974L;
    private static final Logger LOG = Logger.getLogger(WriterLock.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final Duration KEEPALIVE_IDLE = Duration.ofSeconds(30);
    private static final Duration KEEPALIVE_INTERVAL = Duration.ofSeconds(10);
    private static final int KEEPALIVE_COUNT = 3;

    private final Vertx vertx;
    private final PgConnectOptions options;
    private SqlConnection connection;
    private volatile boolean held;
    private volatile long tenure;

    public WriterLock(Vertx vertx, @ConfigProperty(name = "quarkus.datasource.reactive.url") String url,
            @ConfigProperty(name = "quarkus.datasource.username") Optional<String> user,
            @ConfigProperty(name = "quarkus.datasource.password") Optional<String> password,
            @ConfigProperty(name = "quarkus.datasource.reactive.postgresql.ssl-mode", defaultValue = "disable") String sslMode,
            @ConfigProperty(name = "quarkus.datasource.reactive.trust-certificate-pem.certs") Optional<List<String>> caFiles,
            @ConfigProperty(name = "quarkus.datasource.reactive.trust-all", defaultValue = "false") boolean trustAll,
            @ConfigProperty(name = "quarkus.datasource.reactive.hostname-verification-algorithm", defaultValue = "NONE")
            String hostnameVerification) {
        this.vertx = vertx;
        this.options = withTls(connectOptions(url, user, password), sslMode, caFiles, trustAll, hostnameVerification);
    }

    /**
     * The datasource's server and database, for a connection of its own. The server is asked to probe the connection
     * every few seconds once it is idle: when the writer's node dies without closing it, PostgreSQL would otherwise
     * keep the session, and the lock, until the operating system's keepalive gives up (two hours by default), and
     * every other instance would stay a standby until then.
     */
    public static PgConnectOptions connectOptions(String url, Optional<String> user, Optional<String> password) {
        PgConnectOptions options = PgConnectOptions.fromUri(url.startsWith("vertx-reactive:") ? url.substring(15) : url);
        user.ifPresent(options::setUser);
        password.ifPresent(options::setPassword);
        options.addProperty("tcp_keepalives_idle", String.valueOf(KEEPALIVE_IDLE.toSeconds()));
        options.addProperty("tcp_keepalives_interval", String.valueOf(KEEPALIVE_INTERVAL.toSeconds()));
        options.addProperty("tcp_keepalives_count", String.valueOf(KEEPALIVE_COUNT));
        return options.setTcpKeepAlive(true).setConnectTimeout((int) TIMEOUT.toMillis());
    }

    /**
     * The same TLS as the datasource's pool (POSTGRES_SSL_MODE, POSTGRES_SSL_ROOT_CERT): against a server that takes
     * only TLS a plaintext lock connection would be refused, and the instance would stay a standby for good.
     */
    static PgConnectOptions withTls(PgConnectOptions options, String sslMode, Optional<List<String>> caFiles,
            boolean trustAll, String hostnameVerification) {
        options.setSslMode(SslMode.of(sslMode.toLowerCase(java.util.Locale.ROOT)));
        caFiles.filter(files -> !files.isEmpty()).ifPresent(files -> {
            PemTrustOptions trust = new PemTrustOptions();
            files.forEach(trust::addCertPath);
            options.setPemTrustOptions(trust);
        });
        options.setTrustAll(trustAll);
        options.setHostnameVerificationAlgorithm("NONE".equalsIgnoreCase(hostnameVerification) ? "" : hostnameVerification);
        return options;
    }

    /** Whether this instance holds the lock now. */
    public boolean held() {
        return held;
    }

    /** How many times this instance took the lock: what was in memory before the current tenure may be stale. */
    public long tenure() {
        return tenure;
    }

    /** Takes the lock if it is free (or already ours); false while another session holds it. Blocking. */
    public synchronized boolean tryAcquire() {
        if (held) {
            return true;
        }
        try {
            if (connection == null) {
                SqlConnection opened = PgConnection.connect(vertx, options).await().atMost(TIMEOUT);
                opened.closeHandler(() -> lost(opened));
                connection = opened;
            }
            boolean taken = connection.preparedQuery("SELECT pg_try_advisory_lock($1)").execute(Tuple.of(KEY))
                    .await().atMost(TIMEOUT).iterator().next().getBoolean(0);
            if (taken) {
                tenure++; // before held: whoever sees held sees the new tenure
                held = true;
            }
        } catch (RuntimeException e) {
            LOG.warnf("identity writer lock not taken: %s", e.getMessage());
            closeConnection();
        }
        return held;
    }

    /** Gives the lock up (another instance may take it); the connection is closed with it. Blocking. */
    public synchronized void release() {
        held = false;
        closeConnection();
    }

    private synchronized void lost(SqlConnection closed) {
        if (closed == connection) {
            if (held) {
                LOG.warn("the connection holding the identity writer lock closed: this instance no longer writes");
            }
            held = false;
            connection = null;
        }
    }

    private void closeConnection() {
        SqlConnection open = connection;
        connection = null;
        if (open != null) {
            try {
                open.close().await().atMost(TIMEOUT);
            } catch (RuntimeException e) {
                LOG.debugf("closing the writer lock connection: %s", e.getMessage());
            }
        }
    }

    @PreDestroy
    void stop() {
        release();
    }
}
