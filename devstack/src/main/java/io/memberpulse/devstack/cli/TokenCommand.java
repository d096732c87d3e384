package io.memberpulse.devstack.cli;

import io.memberpulse.devstack.auth.DevTokens;
import java.nio.file.Path;

/**
 * {@code token}: a bearer token the local stack's services accept, for curl, grpcurl or the store-staff
 * page: an analyst's, a channel integration's (ingest), a data steward's (identifiers in full, each reveal recorded) or a
 * store staff member's (with their store).
 */
final class TokenCommand {
    private TokenCommand() {
    }

    static int run(Path state, String role, String store) {
        DevTokens tokens = LauncherTokens.of(state);
        String token = switch (role) {
            case "analyst" -> tokens.analyst();
            case "ingest" -> tokens.ingest();
            case "steward" -> tokens.steward();
            case "staff" -> store == null || store.isBlank() ? null : tokens.staff(store);
            default -> null;
        };
        if (token == null) {
            System.err.println("role must be analyst, ingest, steward or staff; staff needs --store STORE");
            return 2;
        }
        System.out.println(token);
        return 0;
    }
}
