package io.memberpulse.identity.store;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.SQLException;
import org.postgresql.PGConnection;

/**
 * Bulk exports as CSV straight from PostgreSQL with COPY ... TO STDOUT: the server writes (and
 * quotes) the rows and the driver hands them on as they come, so an export of millions of rows
 * never sits in memory. Blocking: call from a worker thread.
 */
@ApplicationScoped
public class ExportRepository {
    /** Every member-bearing event under its current member (member_current follows merged_into). */
    static final String IDENTITIES = """
            COPY (SELECT e.event_id, e.source, c.current_id AS member_id
                  FROM channel_event e JOIN member_current c ON c.member_id = e.member_id
                  ORDER BY e.source, e.event_id)
            TO STDOUT WITH (FORMAT csv, HEADER true)""";

    /** Every order line recognised as another channel's report of an order: a = first report, b = it. */
    static final String DUPLICATE_ORDERS = """
            COPY (SELECT split_part(e.duplicate_of, ':', 1) AS source_a,
                         substr(e.duplicate_of, strpos(e.duplicate_of, ':') + 1) AS event_id_a,
                         e.source AS source_b, e.event_id AS event_id_b
                  FROM channel_event e WHERE e.duplicate_of IS NOT NULL
                  ORDER BY source_a, event_id_a, source_b, event_id_b)
            TO STDOUT WITH (FORMAT csv, HEADER true)""";

    private final AgroalDataSource dataSource;

    public ExportRepository(AgroalDataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Writes {@code event_id,source,member_id} with a header; returns the rows written. */
    public long identities(OutputStream out) {
        return copy(IDENTITIES, out);
    }

    /** Writes {@code source_a,event_id_a,source_b,event_id_b} with a header; returns the rows written. */
    public long duplicateOrders(OutputStream out) {
        return copy(DUPLICATE_ORDERS, out);
    }

    private long copy(String sql, OutputStream out) {
        try (Connection connection = dataSource.getConnection()) {
            return connection.unwrap(PGConnection.class).getCopyAPI().copyOut(sql, out);
        } catch (SQLException e) {
            throw new IllegalStateException("export failed: " + e.getMessage(), e);
        } catch (IOException e) {
            // the client went away mid-export: nothing to repair, the COPY is abandoned
            throw new UncheckedIOException(e);
        }
    }
}
