package io.memberpulse.identity.store;

import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.pgclient.PgConnection;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.SslMode;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * The PostgreSQL advisory lock that makes one instance the writer of the identity graph. Session
 * locks live as long as their connection, so the lock is taken and held on a connection of its own,
 * not one of the pool's (a pooled connection returned to the pool keeps its session, and the lock): if
 * this process dies or its connection drops, PostgreSQL releases the lock and another instance can take it. Advisory locks are per database, so each database has one writer.
 * <p>
 * Holding the lock is not known here for sure: the server may have ended the lock's session (a network cut,
 * pg_terminate_backend, a failover) long before this process hears of it (a half-open connection's close comes
 * late or never), and another instance may be writing meanwhile. So every write transaction of the writer runs
 * {@link #fence} first, on its own pool connection: it goes on only if the lock is still granted to the backend
 * that took it in the writer's tenure.
 */
@ApplicationScoped
public class WriterLock {
    /** The lock's key: any fixed bigint, the same in every instance ("mpidwrit" in ASCII). */
    public static final long KEY = 0x6d70696477726974L;
    /**
     * Taken shared by every fenced write transaction and, once, exclusively by an instance that has just taken
     * {@link #KEY}: it waits for the transactions of a writer that lost the lock which checked it before the loss.
     */
    public static final long FENCE_KEY = 0x6d70696466656e63L; // "mpidfenc"
    /** How long taking the lock waits for a former writer's transactions: shorter than TIMEOUT, the server ends it. */
    private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(5);
    private static final Logger LOG = Logger.getLogger(WriterLock.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final Duration KEEPALIVE_IDLE = Duration.ofSeconds(30);
    private static final Duration KEEPALIVE_INTERVAL = Duration.ofSeconds(10);
    private static final int KEEPALIVE_COUNT = 3;

    private final Vertx vertx;
    private final PgConnectOptions options;
    /**
     * The lock connection and the tenure taken on it, null without a connection. One reference for both, changed by
     * compare-and-set and never under this object's monitor: the connection's close handler runs on an event loop, and
     * {@link #tryAcquire} holds the monitor for seconds (connecting, waiting for the drain), so a close handler taking
     * it would stall that event loop's HTTP requests, PostgreSQL replies and Kafka callbacks meanwhile. Both in one
     * reference, so a late close of an old connection cannot clear a newer connection's tenure.
     */
    private final AtomicReference<Session> session = new AtomicReference<>();
    private long tenures;
    /** Test hook: a half-open lock connection, whose loss only the fence notices (see {@link #noticeLoss}). */
    private volatile boolean lossNoticed = true;

    /**
     * One time this instance took the lock: its count (what was in memory before may be stale) and the PostgreSQL
     * backend of the connection that holds it, which a write transaction finds in pg_locks. The backend is its pid
     * and its start (pg_stat_activity.backend_start): once this backend has ended, a later one may get the same pid,
     * and that one could hold the lock in another instance's tenure.
     */
    public record Tenure(long number, int backendPid, OffsetDateTime backendStart) {
    }

    /** The lock connection and the tenure it holds the lock in, null while it does not hold it. */
    private record Session(SqlConnection connection, Tenure tenure) {
    }

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

    /** Whether this instance holds the lock now (as far as it knows: see {@link #fence}). */
    public boolean held() {
        return tenure() != null;
    }

    /** The tenure in force, null while this instance does not hold the lock. */
    public Tenure tenure() {
        Session now = session.get();
        return now == null ? null : now.tenure();
    }

    /**
     * Takes the lock if it is free (or already ours); false while another session holds it. Blocking. Synchronized so
     * that callers (the startup, SingleWriter's retry, {@link #release}) take turns: one lock connection at a time.
     */
    public synchronized boolean tryAcquire() {
        Session connected = session.get();
        if (connected != null && connected.tenure() != null) {
            return true;
        }
        try {
            if (connected == null) {
                SqlConnection opened = PgConnection.connect(vertx, options).await().atMost(TIMEOUT);
                opened.closeHandler(() -> closed(opened));
                connected = new Session(opened, null);
                session.set(connected); // null until now: only this method sets a connection, and it takes turns
            }
            SqlConnection connection = connected.connection();
            Row taken = connection.preparedQuery("""
                    SELECT pg_try_advisory_lock($1), pg_backend_pid(),
                        (SELECT backend_start FROM pg_stat_activity WHERE pid = pg_backend_pid())""")
                    .execute(Tuple.of(KEY)).await().atMost(TIMEOUT).iterator().next();
            if (taken.getBoolean(0)) {
                // A writer that lost the lock may be in a write transaction that passed its fence before the loss,
                // and commit it later: wait until those have ended (they hold FENCE_KEY shared), so that this
                // instance reads the graph with them. Past lock_timeout this fails and the lock is given up below
                // (closing the connection), to be tried again; the server ends the wait too (a backend waiting for a
                // lock would not notice its client gone, and would keep KEY meanwhile).
                connection.query("BEGIN; SET LOCAL lock_timeout = '" + DRAIN_TIMEOUT.toMillis() + "ms'; "
                        + "SELECT pg_advisory_xact_lock(" + FENCE_KEY + "); COMMIT").execute().await().atMost(TIMEOUT);
                Tenure tenure = new Tenure(++tenures, taken.getInteger(1), taken.getOffsetDateTime(2));
                // not if the connection closed meanwhile (its close handler dropped it) or was released: the lock
                // went with it
                if (!session.compareAndSet(connected, new Session(connection, tenure))) {
                    LOG.warn("identity writer lock not taken: its connection closed while it was being taken");
                }
            }
        } catch (RuntimeException e) {
            LOG.warnf("identity writer lock not taken: %s", e.getMessage());
            if (connected != null) {
                drop(connected);
            }
        }
        return held();
    }

    /**
     * Run first in each of the writer's write transactions, on the transaction's connection: takes {@link #FENCE_KEY}
     * shared (so a new writer waits for this transaction), then tells whether the lock is still granted to the backend
     * that took it in this tenure, known by its pid and its start (a later backend may have the same pid). False: the
     * lock's session is gone, whatever this process has heard of it, and the transaction must write nothing. One
     * query per transaction, reading the server's lock table and backend states in memory (pg_locks joined with
     * pg_stat_activity). pg_locks shows a bigint key's high 32 bits as classid, its low 32 bits as objid and
     * objsubid 1. pg_stat_activity shows backend_start only for sessions of the same role (or to members of
     * pg_read_all_stats): the lock connection logs in as the pool does.
     */
    public Uni<Boolean> fence(SqlConnection transaction, Tenure tenure) {
        // the lock is taken in the subquery, so pg_locks is read after it was granted (the row must exist first);
        // this is the transaction's first read of pg_stat_activity, so its snapshot of the backends is taken now
        return transaction.preparedQuery("""
                SELECT EXISTS (SELECT 1 FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
                    WHERE l.locktype = 'advisory' AND l.classid::int8 = $2 AND l.objid::int8 = $3 AND l.objsubid = 1
                    AND l.pid = f.pid AND l.granted AND a.backend_start = f.backend_start)
                FROM (SELECT pg_advisory_xact_lock_shared($1), $4::int AS pid, $5::timestamptz AS backend_start) f""")
                .execute(Tuple.of(FENCE_KEY, KEY >>> 32, KEY & 0xFFFF_FFFFL, tenure.backendPid(), tenure.backendStart()))
                .map(rows -> rows.iterator().next().getBoolean(0));
    }

    /**
     * Whether the lock's connection answers a {@code SELECT 1} within {@code timeout}; if not, this instance steps
     * down (see {@link #lost}), a connection that is only slow included. Cheap (one round trip on an idle connection), run before each write transaction: a
     * connection that died silently (a half-open TCP connection, whose close this process hears of only when the
     * keepalive gives up) is noticed at the next batch rather than minutes later. It is no guarantee, only
     * promptness: the lock may go just after the answer, which is what {@link #fence} is for. Blocking.
     */
    public boolean answers(Tenure tenure, Duration timeout) {
        Session now = session.get();
        if (tenure == null || now == null || now.tenure() != tenure) {
            return false;
        }
        SqlConnection open = now.connection();
        if (!lossNoticed) {
            return true; // test hook: the half-open connection has not timed out yet
        }
        try {
            open.query("SELECT 1").execute().await().atMost(timeout);
            return true;
        } catch (RuntimeException e) {
            LOG.warnf("the connection holding the identity writer lock does not answer (%s)", e.getMessage());
            lost(tenure);
            return false;
        }
    }

    /**
     * Steps down after the lock was found gone from this tenure ({@link #fence}, {@link #answers}): this instance
     * no longer writes, its lock connection is closed (with the lock, should the server still hold it), and it takes
     * the lock again as a standby would. Nothing if a later tenure is in force. Blocking, but without waiting for a
     * {@link #tryAcquire} under way (which cannot be taking this tenure: it holds the lock already).
     */
    public void lost(Tenure tenure) {
        Session now = session.get();
        if (tenure != null && now != null && now.tenure() == tenure && drop(now)) {
            LOG.warn("the identity writer lock is no longer held by this instance's session: this instance no longer writes");
        }
    }

    /**
     * Gives the lock up (another instance may take it); the connection is closed with it. Blocking; waits for a
     * {@link #tryAcquire} under way, so that what it takes is given up too.
     */
    public synchronized void release() {
        Session now = session.get();
        if (now != null) {
            drop(now);
        }
    }

    /**
     * Test hook: false makes the lock connection's loss go unheard, as with a half-open connection (its close handler
     * does not run, its ping is not sent), so that only {@link #fence} finds the lock gone.
     */
    void noticeLoss(boolean noticed) {
        lossNoticed = noticed;
    }

    /**
     * The close handler of a lock connection, run on an event loop: it must not block, so it takes no monitor (see
     * {@link #session}). Forgets the connection and its tenure if it is still this instance's (a newer one is not
     * touched).
     */
    private void closed(SqlConnection closed) {
        if (!lossNoticed) {
            return;
        }
        Session before = session.getAndUpdate(now -> now != null && now.connection() == closed ? null : now);
        if (before != null && before.connection() == closed && before.tenure() != null) {
            LOG.warn("the connection holding the identity writer lock closed: this instance no longer writes");
        }
    }

    /**
     * Forgets {@code dropped} unless it was replaced meanwhile, and closes its connection (the lock goes with it).
     * Blocking.
     *
     * @return whether it was this instance's session until now
     */
    private boolean drop(Session dropped) {
        boolean current = session.compareAndSet(dropped, null);
        try {
            dropped.connection().close().await().atMost(TIMEOUT);
        } catch (RuntimeException e) {
            LOG.debugf("closing the writer lock connection: %s", e.getMessage());
        }
        return current;
    }

    @PreDestroy
    void stop() {
        release();
    }
}
