package io.memberpulse.identity.domain;

public final class OrderNotFoundException extends RuntimeException {
    public OrderNotFoundException(String source, String orderId) {
        super("no order " + orderId + " from " + source);
    }
}
