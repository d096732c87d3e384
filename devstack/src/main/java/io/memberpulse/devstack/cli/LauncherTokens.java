package io.memberpulse.devstack.cli;

import io.memberpulse.devstack.auth.DevTokens;
import java.nio.file.Path;

/**
 * The local stack's token signer, kept in the state folder ({@code auth/}): {@code up} gives the services
 * its public key, and every launcher command signs its own requests with it.
 */
final class LauncherTokens {
    private LauncherTokens() {
    }

    static DevTokens of(Path state) {
        return DevTokens.loadOrCreate(state.resolve("auth"));
    }

    /** The Authorization header value of the launcher's own calls (analyst, may send events). */
    static String bearer(Path state) {
        return "Bearer " + of(state).analyst();
    }
}
