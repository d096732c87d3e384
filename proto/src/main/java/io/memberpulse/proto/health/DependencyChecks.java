package io.memberpulse.proto.health;

import java.time.Duration;

/**
 * The health group {@value #GROUP} ({@code /q/health/group/dependencies}): Redis and Kafka, reported apart from
 * readiness. A pod answers from PostgreSQL while Redis fails over, and keeps what it must publish (outboxes, offsets)
 * while Kafka is away, so neither outage may take every pod of every service out of its Service at once. Readiness is
 * PostgreSQL (and identity-service's writer lock); alert on this group instead.
 */
public final class DependencyChecks {
    public static final String GROUP = "dependencies";
    /** How long a check waits for its engine before it reports it DOWN. */
    static final Duration TIMEOUT = Duration.ofSeconds(3);

    private DependencyChecks() {
    }
}
