package io.memberpulse.churn.store;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Optional;

/** The event-time clock (stream_clock): the latest event time recorded, which never moves back. */
@ApplicationScoped
public class StreamClockRepository {
    private final Pool pool;

    public StreamClockRepository(Pool pool) {
        this.pool = pool;
    }

    public Uni<Optional<Instant>> watermark() {
        return pool.query("SELECT watermark FROM stream_clock WHERE id = 1").execute()
                .map(rows -> {
                    var it = rows.iterator();
                    return it.hasNext() ? Optional.of(it.next().getOffsetDateTime(0).toInstant()) : Optional.empty();
                });
    }

    public Uni<Instant> advanceWatermark(Instant seen) {
        return pool.preparedQuery("""
                INSERT INTO stream_clock (id, watermark) VALUES (1, $1)
                ON CONFLICT (id) DO UPDATE SET watermark = GREATEST(stream_clock.watermark, EXCLUDED.watermark)
                RETURNING watermark""")
                .execute(Tuple.of(utc(seen)))
                .map(rows -> rows.iterator().next().getOffsetDateTime(0).toInstant());
    }

    private static OffsetDateTime utc(Instant instant) {
        return instant.atOffset(ZoneOffset.UTC);
    }
}
