package io.memberpulse.rfm.store;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import java.util.function.Consumer;

/** One query's rows streamed through a cursor (a fetch at a time), never all held at once. */
final class RowScan {
    private static final int FETCH = 10_000;

    private RowScan() {
    }

    /** Calls {@code each} for every row, on the event loop, in order; completes after the last. */
    static Uni<Long> forEach(Pool pool, String sql, Consumer<Row> each) {
        return pool.withTransaction(connection -> connection.prepare(sql)
                .onItem().transformToMulti(statement -> statement.createStream(FETCH).toMulti())
                .onItem().invoke(each)
                .collect().with(java.util.stream.Collectors.counting()));
    }
}
