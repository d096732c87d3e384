package io.memberpulse.proto.redis;

import io.smallrye.mutiny.Uni;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * Whether to try Redis now. After a read fails (Redis unreachable, or no answer within the read timeout, as when Redis
 * hangs: it accepts connections and never answers) reads skip Redis for the back-off, so they go straight to
 * PostgreSQL instead of each waiting for the client's timeout (quarkus.redis.timeout, 10 s); after a write fails,
 * writes and reads do. The first call after the back-off tries Redis again. A slow read alone does not hold writes
 * back: a write skipped is a write missed, which the services repair. One per service.
 */
public final class RedisBackoff {
    private final Duration readTimeout;
    private final long backoffNanos;
    private final Failures reads = new Failures();
    private final Failures writes = new Failures();

    public RedisBackoff(Duration readTimeout, Duration backoff) {
        this.readTimeout = readTimeout;
        this.backoffNanos = backoff.toNanos();
    }

    /** A hot read: failed at once within a back-off, after the read timeout when Redis does not answer. */
    public <T> Uni<T> read(Supplier<Uni<T>> call) {
        if (reads.within(backoffNanos) || writes.within(backoffNanos)) {
            return Uni.createFrom().failure(new SkippedException());
        }
        return Uni.createFrom().<T>deferred(() -> call.get().ifNoItem().after(readTimeout).fail())
                .onFailure().invoke(failure -> reads.now());
    }

    /** A write (or a read off the hot path): failed at once within a write's back-off, else within the client's timeout. */
    public <T> Uni<T> call(Supplier<Uni<T>> call) {
        if (writes.within(backoffNanos)) {
            return Uni.createFrom().failure(new SkippedException());
        }
        return Uni.createFrom().<T>deferred(call::get).onFailure().invoke(failure -> writes.now());
    }

    /** When calls of one kind last failed. */
    private static final class Failures {
        private volatile boolean failed;
        private volatile long lastNanos;

        boolean within(long nanos) {
            return failed && System.nanoTime() - lastNanos < nanos;
        }

        void now() {
            lastNanos = System.nanoTime();
            failed = true;
        }
    }

    /** Redis not tried: it failed less than the back-off ago. */
    public static final class SkippedException extends RuntimeException {
        SkippedException() {
            super("Redis skipped: it failed less than the back-off ago", null, false, false);
        }
    }
}
