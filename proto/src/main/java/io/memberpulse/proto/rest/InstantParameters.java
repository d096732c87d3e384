package io.memberpulse.proto.rest;

import io.memberpulse.proto.checks.FieldChecks;
import io.memberpulse.proto.checks.InvalidFieldException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;

/**
 * An instant a REST caller names in a query parameter (asOf, from, to): an ISO-8601 instant with its offset
 * ({@code 2011-09-10T00:00:00Z}, {@code 2011-09-10T08:00:00+08:00}) or a date ({@code 2011-09-10}), the start of that
 * day on the chain's calendar (the service's day-zone), as churn-service's asOf reads it. Anything else, or an
 * instant outside the bounds the caller gives (rfm-service: gRPC Timestamp's years 0001..9999, as its gRPC as_of),
 * is an {@link InvalidFieldException} naming the parameter: a 400.
 */
public final class InstantParameters {
    private InstantParameters() {
    }

    public static Instant parse(String field, String text, ZoneId dayZone, Instant earliest, Instant latest) {
        Instant instant;
        try {
            instant = text.length() == 10 ? LocalDate.parse(text).atStartOfDay(dayZone).toInstant()
                    : OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException e) {
            throw new InvalidFieldException(field, "must be a date (2011-09-10: the start of that day in " + dayZone
                    + ") or an ISO-8601 instant with offset (2011-09-10T00:00:00Z), was '" + text + "'");
        }
        FieldChecks.checkInstant(field, instant, earliest, latest);
        return instant;
    }
}
