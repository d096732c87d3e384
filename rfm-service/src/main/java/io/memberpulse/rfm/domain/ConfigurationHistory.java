package io.memberpulse.rfm.domain;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Which version of the configured definitions (thresholds and lifecycle rules from configuration) was in force at an
 * instant of the service's clock. A version is recorded when a replica starts with a configuration that differs from
 * the last one recorded, and is in force from then until the next version begins. Before the first version recorded
 * the configuration is not known; the earliest one recorded is taken as in force then, as segment_definition_history
 * takes a definition found stored when it was created as in force since (a rule since its creation): the same
 * selection as for the rules and thresholds, the last version begun at or before the instant, extended back to the
 * beginning for want of an older one, and said so ({@link InForce#assumed}).
 */
public final class ConfigurationHistory {
    private ConfigurationHistory() {
    }

    /** One recorded version: in force from validFrom (the service's clock at the start that recorded it). */
    public record Version(Instant validFrom, ConfiguredDefinitions definitions) {
        public Version {
            if (validFrom == null || definitions == null) {
                throw new IllegalArgumentException("a version has a start and definitions");
            }
        }
    }

    /**
     * The version in force at an instant.
     *
     * @param assumed true when the instant is before the first version recorded: the earliest one is assumed then
     */
    public record InForce(Version version, boolean assumed) {
    }

    /**
     * The version in force at {@code at}: of those begun at or before it, the latest to begin (of two beginning at the
     * same instant, the one recorded later); before every version, the earliest one, marked assumed. Empty when none is
     * recorded.
     *
     * @param versions in the order they were recorded
     */
    public static Optional<InForce> at(List<Version> versions, Instant at) {
        Version inForce = null;
        Version earliest = null;
        for (Version version : versions) {
            if (!version.validFrom().isAfter(at) && (inForce == null || !version.validFrom().isBefore(inForce.validFrom()))) {
                inForce = version;
            }
            if (earliest == null || version.validFrom().isBefore(earliest.validFrom())) {
                earliest = version;
            }
        }
        if (inForce != null) {
            return Optional.of(new InForce(inForce, false));
        }
        return Optional.ofNullable(earliest).map(version -> new InForce(version, true));
    }

    /**
     * The margin rates in force at {@code at}: those of the version in force then ({@link #at}). A version recorded
     * before the rates were (V18) does not know them: the rates of the earliest version that records them are taken
     * instead, as the earliest version is taken before the first, so an answer about the past does not change with
     * the rates of later starts. Empty when no version records rates (the caller's running ones then).
     *
     * @param versions in the order they were recorded
     */
    public static Optional<MarginRates> marginRatesAt(List<Version> versions, Instant at) {
        Optional<MarginRates> then = at(versions, at).map(inForce -> inForce.version().definitions().marginRates());
        if (then.isPresent()) {
            return then;
        }
        Version earliest = null;
        for (Version version : versions) {
            if (version.definitions().marginRates() != null
                    && (earliest == null || version.validFrom().isBefore(earliest.validFrom()))) {
                earliest = version;
            }
        }
        return Optional.ofNullable(earliest).map(version -> version.definitions().marginRates());
    }

    /**
     * Whether a start with the running configuration records a version: none recorded yet, or the last one differs (its
     * thresholds, lifecycle rules or margin rates; a version without rates, recorded before them, always differs).
     */
    public static boolean differs(Optional<ConfiguredDefinitions> lastRecorded, ConfiguredDefinitions running) {
        return lastRecorded.map(last -> !last.equals(running)).orElse(true);
    }
}
