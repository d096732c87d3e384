package io.memberpulse.proto.store;

import io.memberpulse.proto.identity.v1.MemberEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
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

    /** A member.events batch's events under their owners, less those of erased members, and how many were left out. */
    public record Kept(List<MemberEvent> events, int dropped) {
    }

    /**
     * The events but those belonging to an erased member now, read in the recording transaction: an erasure committed
     * before the look-up is seen, one applied after it deletes what the batch records. The owner decides, not the id
     * an event came under: an absorbed member's owner is its survivor, erased with it; an event a split gave to another
     * member before the original was erased is that member's purchase (identity keeps it, unscrubbed, under them), and
     * dropping it would lose their data. The dropped events are acknowledged, never dead-lettered: a dead-letter topic
     * would keep the erased member's facts.
     *
     * @param owned the batch's events under the members they belong to now (EventOwners.underOwners)
     */
    public static Uni<Kept> withoutErased(SqlClient client, List<MemberEvent> owned) {
        Set<String> owners = new HashSet<>();
        owned.forEach(event -> owners.add(event.getMemberId()));
        owners.remove("");
        return among(client, owners).map(erased -> kept(owned, erased));
    }

    /** withoutErased's rule, given the erased ids: an event stays unless its owner is erased. */
    static Kept kept(List<MemberEvent> owned, Set<String> erased) {
        if (erased.isEmpty()) {
            return new Kept(owned, 0);
        }
        List<MemberEvent> kept = owned.stream().filter(event -> !erased.contains(event.getMemberId())).toList();
        return new Kept(kept, owned.size() - kept.size());
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
