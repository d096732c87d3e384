package io.memberpulse.identity.api.rest;

import io.memberpulse.identity.api.FieldError;
import java.util.List;

/** A request refused as a whole (HTTP 400), naming each field and why. */
public class InvalidRequestException extends RuntimeException {
    private final List<FieldError> errors;

    public InvalidRequestException(String field, String reason) {
        this(List.of(new FieldError(field, reason)));
    }

    public InvalidRequestException(List<FieldError> errors) {
        super(errors.stream().map(FieldError::toString).reduce((a, b) -> a + "; " + b).orElse("invalid request"));
        this.errors = List.copyOf(errors);
    }

    public List<FieldError> errors() {
        return errors;
    }
}
