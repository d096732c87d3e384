package io.memberpulse.identity.store;

import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.pgclient.PgConnection;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import io.vertx.pgclient.PgConnectOptions;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
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

    private final Vertx vertx;
    private final PgConnectOptions options;
    private SqlConnection connection;
    private volatile boolean held;
    private volatile long tenure;

    public WriterLock(Vertx vertx, @ConfigProperty(name = "quarkus.datasource.reactive.url") String url,
            @ConfigProperty(name = "quarkus.datasource.username") Optional<String> user,
            @ConfigProperty(name = "quarkus.datasource.password") Optional<String> password) {
        this.vertx = vertx;
        this.options = connectOptions(url, user, password);
    }

    /** The datasource's server and database, for a connection of its own. */
    public static PgConnectOptions connectOptions(String url, Optional<String> user, Optional<String> password) {
        PgConnectOptions options = PgConnectOptions.fromUri(url.startsWith("vertx-reactive:") ? url.substring(15) : url);
        user.ifPresent(options::setUser);
        password.ifPresent(options::setPassword);
        return options.setConnectTimeout((int) TIMEOUT.toMillis());
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
