package io.memberpulse.identity.store;

import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.pgclient.PgConnection;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * Another identity-service instance as far as the writer lock goes: a session of its own on the same database, opened
 * as {@link WriterLock} opens its lock connection. Closing it ends the session, and any lock it holds with it. For
 * the tests of the single writer (SingleWriterTest, WriterFenceTest).
 */
public final class OtherInstance implements AutoCloseable {
    private final SqlConnection session;

    private OtherInstance(SqlConnection session) {
        this.session = session;
    }

    /** A new session with the datasource's server, database and user (run inside a @QuarkusTest). */
    public static OtherInstance connect(Vertx vertx) {
        Config config = ConfigProvider.getConfig();
        return new OtherInstance(PgConnection.connect(vertx, WriterLock.connectOptions(
                config.getValue("quarkus.datasource.reactive.url", String.class),
                config.getOptionalValue("quarkus.datasource.username", String.class),
                config.getOptionalValue("quarkus.datasource.password", String.class))).await().indefinitely());
    }

    /** The session, for what a test does in it besides taking the writer lock. */
    public SqlConnection session() {
        return session;
    }

    /** Takes the writer lock if it is free, as a standby does; false while another session holds it. */
    public boolean tryLock() {
        return session.preparedQuery("SELECT pg_try_advisory_lock($1)").execute(Tuple.of(WriterLock.KEY))
                .await().indefinitely().iterator().next().getBoolean(0);
    }

    /** Gives the writer lock up, keeping the session. */
    public void unlock() {
        session.preparedQuery("SELECT pg_advisory_unlock($1)").execute(Tuple.of(WriterLock.KEY)).await().indefinitely();
    }

    @Override
    public void close() {
        session.close().await().indefinitely();
    }
}
