package io.memberpulse.proto.checks;

/**
 * A value a caller handed in that {@link FieldChecks} refuses, naming the field as the caller's transport spells it
 * on the wire ({@code member_id}; REST answers it in the body's camel case, {@code memberId}) and why. Every service
 * answers it the same way without mapping it itself: gRPC INVALID_ARGUMENT "field: reason" (proto's
 * GrpcErrorMapping), REST a 400 problem document naming the field (proto's rest.FieldProblems).
 */
public final class InvalidFieldException extends RuntimeException {
    private final String field;

    public InvalidFieldException(String field, String reason) {
        super(reason);
        this.field = field;
    }

    public String field() {
        return field;
    }

    public String reason() {
        return getMessage();
    }
}
