package io.memberpulse.rfm.domain;

/** No entry of that store in the store directory: HTTP 404. */
public final class UnknownStoreException extends RuntimeException {
    public UnknownStoreException(String storeId) {
        super("store " + storeId + " has no entry in the store directory");
    }
}
