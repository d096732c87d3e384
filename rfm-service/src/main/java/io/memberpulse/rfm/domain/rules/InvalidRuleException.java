package io.memberpulse.rfm.domain.rules;

/** A segment rule that does not compile: where (1-based line and column) and why. */
public final class InvalidRuleException extends RuntimeException {
    private final int line;
    private final int column;

    public InvalidRuleException(int line, int column, String reason) {
        super(reason);
        this.line = line;
        this.column = column;
    }

    public int line() {
        return line;
    }

    public int column() {
        return column;
    }
}
