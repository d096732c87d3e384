package io.memberpulse.rfm.domain;

import java.time.Instant;

/**
 * The instants a caller may name on rfm-service, REST and gRPC alike: google.protobuf.Timestamp's range, years
 * 0001 to 9999 (gRPC bounds its seconds by these; REST the instant). Ids and text are checked by proto's
 * {@code io.memberpulse.proto.checks.FieldChecks}, as in every service.
 */
public final class ParameterChecks {
    public static final Instant EARLIEST_INSTANT = Instant.parse("0001-01-01T00:00:00Z");
    public static final Instant LATEST_INSTANT = Instant.parse("9999-12-31T23:59:59Z");

    private ParameterChecks() {
    }
}
