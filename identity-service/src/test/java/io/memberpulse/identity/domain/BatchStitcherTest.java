package io.memberpulse.identity.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class BatchStitcherTest {
    static final Identifier PHONE = new Identifier(IdentifierType.PHONE, "+8613800138000");
    static final Identifier MEMBER_NO = new Identifier(IdentifierType.MEMBER_NO, "M1");
    static final Identifier OPENID = new Identifier(IdentifierType.OPENID, "o-1");
    static final Identifier DEVICE = new Identifier(IdentifierType.DEVICE_ID, "tablet");

    final AtomicInteger next = new AtomicInteger();
    final Supplier<String> ids = () -> "new-" + next.incrementAndGet();

    static BatchStitcher.EventIdentifiers event(int index, Identifier... identifiers) {
        return new BatchStitcher.EventIdentifiers(index, List.of(identifiers));
    }

    @Test
    void eventsOfOneBatchSharingANewIdentifierBecomeOneNewMember() {
        var result = BatchStitcher.stitch(List.of(event(0, PHONE), event(1, PHONE, OPENID), event(2, OPENID)), Map.of(), ids);
        assertThat(result.assignments()).extracting(BatchStitcher.Assignment::memberId).containsOnly("new-1");
        assertThat(result.newMembers()).containsExactly("new-1");
        assertThat(result.newLinks()).containsOnlyKeys(PHONE, OPENID);
    }

    @Test
    void anEventCarryingTheStrongIdentifiersOfTwoMembersMergesThemWithEvidence() {
        var result = BatchStitcher.stitch(List.of(event(0, PHONE, MEMBER_NO)),
                Map.of(PHONE, "by-phone", MEMBER_NO, "by-member-no"), ids);
        assertThat(result.assignments().get(0).matchedBy()).contains(IdentifierType.MEMBER_NO);
        assertThat(result.merges()).singleElement().satisfies(merge -> {
            assertThat(Set.of(merge.survivingMemberId(), merge.absorbedMemberId())).containsExactlyInAnyOrder(
                    "by-phone", "by-member-no");
            assertThat(merge.rule()).isEqualTo("phone");
            assertThat(merge.score()).isEqualTo(1.0);
            assertThat(merge.identifiers()).containsExactly(MEMBER_NO.toString(), PHONE.toString());
            assertThat(merge.eventKey()).isEqualTo("#0");
        });
        assertThat(result.assignments().get(0).memberId()).isEqualTo(result.merges().get(0).survivingMemberId());
        assertThat(result.conflicts()).isZero();
        assertThat(result.newMembers()).isEmpty();
    }

    @Test
    void twoMembersWithDifferentUnionIdsAreNeverMergedByAPhone() {
        Identifier union1 = new Identifier(IdentifierType.UNION_ID, "u-1");
        Identifier union2 = new Identifier(IdentifierType.UNION_ID, "u-2");
        var result = BatchStitcher.stitch(List.of(event(0, union1, PHONE), event(1, union2), event(2, union2, PHONE)),
                Map.of(), ids, StitchGuardrails.DEFAULTS);
        assertThat(result.merges()).isEmpty(); // one person holds one UnionID: the phone is shared, not proof
        assertThat(result.assignments()).extracting(BatchStitcher.Assignment::memberId)
                .containsExactly("new-1", "new-2", "new-2");
        assertThat(result.conflicts()).isEqualTo(1);
    }

    @Test
    void aSharedDeviceAloneNeverJoinsTwoEvents() {
        var result = BatchStitcher.stitch(List.of(event(0, DEVICE), event(1, DEVICE)), Map.of(), ids);
        assertThat(result.assignments()).extracting(BatchStitcher.Assignment::memberId).containsExactly("new-1", "new-2");
        assertThat(result.newLinks()).isEmpty();
        assertThat(result.assignments().get(0).matchedBy()).isEqualTo(Optional.empty());
    }
}
