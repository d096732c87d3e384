package io.memberpulse.churn;

import java.util.Collection;
import java.util.function.Function;

/**
 * Repeats a conditional write on the members another replica's newer write overtook (the stored version it was
 * conditional on changed since it was read): each attempt reads again, writes only where nothing changed meanwhile,
 * and names the members overtaken; those are tried again, until none is left or the attempts run out.
 */
final class UntilUnchanged {
    private UntilUnchanged() {
    }

    /**
     * Runs attempt on memberIds, then on the members each attempt returns as overtaken, until one returns none or
     * maxAttempts have run.
     *
     * @return the members the last attempt left overtaken: empty unless the attempts ran out
     */
    static Collection<String> repeat(Collection<String> memberIds, int maxAttempts,
            Function<Collection<String>, ? extends Collection<String>> attempt) {
        Collection<String> pending = memberIds;
        for (int made = 0; made < maxAttempts && !pending.isEmpty(); made++) {
            pending = attempt.apply(pending);
        }
        return pending;
    }
}
