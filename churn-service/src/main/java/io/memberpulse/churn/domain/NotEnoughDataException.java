package io.memberpulse.churn.domain;

/** Too little history to train or validate a model; the current model stays in place. */
public final class NotEnoughDataException extends RuntimeException {
    public NotEnoughDataException(String reason) {
        super(reason);
    }
}
