package io.memberpulse.proto.auth;

import io.quarkus.security.identity.SecurityIdentity;
import jakarta.json.JsonString;
import java.util.Optional;
import org.eclipse.microprofile.jwt.JsonWebToken;

/** What a verified caller may see of the stores: analysts every store, staff their own (the store_id claim). */
public final class Callers {
    private Callers() {
    }

    /**
     * The store a caller is bound to: empty for an analyst (every store); for staff the claim, or "" when the
     * token names none (then no store is theirs).
     */
    public static Optional<String> boundStore(SecurityIdentity caller) {
        if (caller.hasRole(Roles.ANALYST)) {
            return Optional.empty();
        }
        Object claim = caller.getPrincipal() instanceof JsonWebToken jwt ? jwt.getClaim(Roles.STORE_CLAIM) : null;
        return Optional.of(claim == null ? "" : claim instanceof JsonString text ? text.getString() : claim.toString());
    }

    /** Whether the caller may see this store's members, tasks and outcomes (null: every store's). */
    public static boolean maySee(SecurityIdentity caller, String storeId) {
        return boundStore(caller).map(store -> !store.isEmpty() && store.equals(storeId)).orElse(true);
    }

    /** @throws StoreNotPermittedException when the caller may not see the store (null: every store) */
    public static void requireMaySee(SecurityIdentity caller, String storeId) {
        if (!maySee(caller, storeId)) {
            throw new StoreNotPermittedException(boundStore(caller).orElseThrow(), storeId);
        }
    }
}
