package io.memberpulse.identity;

/** A write (import, split) refused because another instance holds the identity writer lock. */
public class NotWriterException extends RuntimeException {
    public NotWriterException(String message) {
        super(message);
    }
}
