package io.memberpulse.churn.domain;

/** A training run would not fit in the heap: refused before it starts, so the service keeps running. */
public final class NotEnoughMemoryException extends RuntimeException {
    public NotEnoughMemoryException(String reason) {
        super(reason);
    }
}
