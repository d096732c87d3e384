package io.memberpulse.identity.store;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

/** Every reveal of a member's identifiers in full (member_reveal): whose, to whom, which view, when. */
@ApplicationScoped
public class MemberRevealRepository {
    /** What was revealed: the member with its identifiers, or its merges' evidence. */
    public enum Shown {
        MEMBER, EVIDENCE
    }

    private final Pool pool;

    public MemberRevealRepository(Pool pool) {
        this.pool = pool;
    }

    /** Completes once the reveal is stored: a caller gets the values only after that. */
    public Uni<Void> record(String memberId, String caller, Shown shown) {
        return pool.preparedQuery("INSERT INTO member_reveal (member_id, caller, shown, revealed_at) VALUES ($1, $2, $3, now())")
                .execute(Tuple.of(memberId, caller, shown.name().toLowerCase(java.util.Locale.ROOT)))
                .replaceWithVoid();
    }
}
