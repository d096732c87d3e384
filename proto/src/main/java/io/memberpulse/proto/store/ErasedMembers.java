package io.memberpulse.proto.store;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import java.util.Collection;
import java.util.HashSet;
import java.util.Set;

/**
 * The members erased at their request (MemberErased on member.merges), as every consuming service remembers them in its
 * own database: erased_member (member_id, erased_at). One place, so rfm-, churn- and campaign-service read it, and
 * forget the identity changes naming an erased member, alike.
 */
public final class ErasedMembers {
    /**
     * Deletes the applied-change keys (identity_change_applied) of the merges and splits naming any of the erased ids
     * ($1, text[]), spelt as IdentityChange.key spells them ("merge:absorbed>surviving@at", "split:original@at"): a
     * merge or split naming an erased id moves nothing, so a replay needs no key to be recognised, and a key would keep
     * the id.
     */
    public static final String FORGET_CHANGES_NAMING = """
            DELETE FROM identity_change_applied c USING unnest($1::text[]) AS e (id)
            WHERE starts_with(c.change_key, 'merge:' || e.id || '>') OR strpos(c.change_key, '>' || e.id || '@') > 0
               OR starts_with(c.change_key, 'split:' || e.id || '@')""";

    private ErasedMembers() {
    }

    /** The given members that were erased, read with the client given (a recording or change transaction's connection). */
    public static Uni<Set<String>> among(SqlClient client, Collection<String> memberIds) {
        if (memberIds.isEmpty()) {
            return Uni.createFrom().item(Set.of());
        }
        return client.preparedQuery("SELECT member_id FROM erased_member WHERE member_id = ANY($1)")
                .execute(Tuple.of((Object) memberIds.stream().distinct().toArray(String[]::new)))
                .map(rows -> {
                    Set<String> erased = new HashSet<>();
                    rows.forEach(row -> erased.add(row.getString(0)));
                    return erased;
                });
    }
}
