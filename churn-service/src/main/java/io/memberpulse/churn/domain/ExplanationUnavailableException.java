package io.memberpulse.churn.domain;

/** A stored score that cannot be explained now (its model version is no longer stored); 409. */
public final class ExplanationUnavailableException extends RuntimeException {
    public ExplanationUnavailableException(String reason) {
        super(reason);
    }
}
