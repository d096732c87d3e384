package io.memberpulse.proto.auth;

/** A staff member asked for another store's data: REST 403, gRPC PERMISSION_DENIED. */
public class StoreNotPermittedException extends RuntimeException {
    public StoreNotPermittedException(String boundStore, String askedStore) {
        super(boundStore.isEmpty() ? "store staff whose token names no store (claim " + Roles.STORE_CLAIM
                + ") may not see store " + askedStore
                : "staff of store " + boundStore + " may not see " + (askedStore == null ? "every store" : "store " + askedStore));
    }
}
