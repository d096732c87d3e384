package io.memberpulse.proto.merges;

import java.time.Instant;
import java.util.Optional;

/**
 * Where a merge's facts land. member.merges is keyed by the absorbed member, so with several partitions a
 * chain A→B, B→C may arrive as B→C first. Every absorbed member keeps an alias to its final survivor (an
 * alias never points at an absorbed member: a merge re-points the aliases of the member it absorbs), so one
 * look-up at the named survivor's own alias finds where the facts belong:
 * <ul>
 *   <li>the survivor was absorbed at or after this merge: a later merge already arrived, follow it;</li>
 *   <li>the survivor was absorbed before this merge: identity-service merged into it again, so it is a member
 *   of its own once more (after an undo) and its old alias goes;</li>
 *   <li>following leads back to the absorbed member itself (B→A arrived before the older A→B): A is already
 *   where everything belongs and nothing moves.</li>
 * </ul>
 */
public final class MemberAliases {
    private MemberAliases() {
    }

    /** An absorbed member and its final survivor, with the time it was absorbed. */
    public record Alias(String absorbedMemberId, String survivingMemberId, Instant mergedAt) {
    }

    /**
     * @param survivor where the absorbed member's facts go (equal to the absorbed member: nowhere, nothing moves)
     * @param dropSurvivorsAlias the named survivor is its own member again: delete its alias
     */
    public record Landing(String survivor, boolean dropSurvivorsAlias) {
        public boolean movesNothing(IdentityChange.Merge merge) {
            return survivor.equals(merge.absorbedMemberId());
        }
    }

    /** @param survivorsAlias the alias of the merge's named survivor, if it was absorbed itself */
    public static Landing landing(IdentityChange.Merge merge, Optional<Alias> survivorsAlias) {
        if (survivorsAlias.isEmpty()) {
            return new Landing(merge.survivingMemberId(), false);
        }
        Alias alias = survivorsAlias.get();
        if (alias.mergedAt().isBefore(merge.at())) {
            return new Landing(merge.survivingMemberId(), true);
        }
        return new Landing(alias.survivingMemberId(), false);
    }
}
