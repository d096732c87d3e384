package io.memberpulse.identity.store;

import io.vertx.mutiny.sqlclient.Tuple;
import java.lang.reflect.Array;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The column arrays of a set-at-a-time statement ({@code unnest($1::text[], $2::timestamptz[], ...)}),
 * filled a row at a time: typed arrays (String[], OffsetDateTime[], ...) as the PostgreSQL client
 * needs them to bind array parameters, one per column, in the statement's parameter order.
 */
final class UnnestColumns {
    private final Object[][] columns;
    private int rows;

    /** @param capacity rows expected; @param types the element type of each column */
    UnnestColumns(int capacity, Class<?>... types) {
        columns = new Object[types.length][];
        for (int c = 0; c < types.length; c++) {
            columns[c] = (Object[]) Array.newInstance(types[c], capacity);
        }
    }

    /** Adds a row: one value per column, in column order (null for SQL NULL). */
    UnnestColumns add(Object... values) {
        if (values.length != columns.length) {
            throw new IllegalArgumentException(values.length + " values for " + columns.length + " columns");
        }
        for (int c = 0; c < columns.length; c++) {
            if (rows == columns[c].length) {
                columns[c] = Arrays.copyOf(columns[c], Math.max(8, rows * 2));
            }
            columns[c][rows] = values[c];
        }
        rows++;
        return this;
    }

    boolean isEmpty() {
        return rows == 0;
    }

    /** The columns as parameters $1..$n, followed by these scalar parameters. */
    Tuple tuple(Object... scalars) {
        List<Object> parameters = new ArrayList<>(columns.length + scalars.length);
        for (Object[] column : columns) {
            parameters.add(column.length == rows ? column : Arrays.copyOf(column, rows));
        }
        parameters.addAll(Arrays.asList(scalars));
        return Tuple.from(parameters);
    }
}
