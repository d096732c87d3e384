package io.memberpulse.churn.domain;

/**
 * The member facts published before a training run or batch evaluation have not all been consumed yet (or
 * Kafka cannot say): the run would see only part of them, so it does not start.
 */
public final class FactsBehindException extends RuntimeException {
    public FactsBehindException(String reason) {
        super(reason);
    }

    public FactsBehindException(String reason, Throwable cause) {
        super(reason, cause);
    }
}
