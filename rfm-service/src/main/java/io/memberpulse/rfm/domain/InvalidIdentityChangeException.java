package io.memberpulse.rfm.domain;

/** An identity change that cannot be applied as given (a field missing or contradictory). */
public final class InvalidIdentityChangeException extends IllegalArgumentException {
    public InvalidIdentityChangeException(String message) {
        super(message);
    }
}
