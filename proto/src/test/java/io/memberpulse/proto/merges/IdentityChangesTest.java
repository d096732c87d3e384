package io.memberpulse.proto.merges;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Timestamp;
import io.memberpulse.proto.identity.v1.MemberErased;
import io.memberpulse.proto.identity.v1.MemberIdentityChange;
import io.memberpulse.proto.identity.v1.MemberMerged;
import io.memberpulse.proto.identity.v1.MemberSplit;
import io.memberpulse.proto.identity.v1.SplitPart;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class IdentityChangesTest {
    private static final Timestamp AT = Timestamp.newBuilder().setSeconds(1_900_000_000L).setNanos(5).build();

    @Test
    void mergesAndSplitsBecomeDomainChanges() {
        MemberIdentityChange merged = MemberIdentityChange.newBuilder().setMerged(MemberMerged.newBuilder()
                .setSurvivingMemberId("S").setAbsorbedMemberId("A").setRule("phone").setMergedAt(AT)).build();
        assertThat(IdentityChanges.problemOf(merged)).isNull();
        assertThat(IdentityChanges.toDomain(merged))
                .isEqualTo(new IdentityChange.Merge("S", "A", Instant.ofEpochSecond(1_900_000_000L, 5)));

        MemberIdentityChange split = MemberIdentityChange.newBuilder().setSplit(MemberSplit.newBuilder()
                .setOriginalMemberId("O").setSplitAt(AT)
                .addParts(SplitPart.newBuilder().setMemberId("P").addEventKeys("pos:e-1").addEventKeys("app:e-2"))).build();
        assertThat(IdentityChanges.toDomain(split)).isEqualTo(new IdentityChange.Split("O", List.of(
                new IdentityChange.Part("P", List.of(new IdentityChange.EventKey("pos", "e-1"),
                        new IdentityChange.EventKey("app", "e-2")))), Instant.ofEpochSecond(1_900_000_000L, 5)));
    }

    @Test
    void anErasureNamesTheMemberAndEveryMemberMergedIntoIt() {
        MemberIdentityChange erased = MemberIdentityChange.newBuilder().setErased(MemberErased.newBuilder()
                .setMemberId("S").addAbsorbedMemberIds("A1").addAbsorbedMemberIds("A2").setErasedAt(AT)
                .setErasureId("er-1")).build();
        IdentityChange change = IdentityChanges.toDomain(erased);
        assertThat(change).isEqualTo(new IdentityChange.Erasure("S", List.of("A1", "A2"),
                Instant.ofEpochSecond(1_900_000_000L, 5)));
        assertThat(change.membersNamed()).containsExactly("S", "A1", "A2");
        // One key per member, whenever it is erased: a second request's change is the same change.
        assertThat(change.key()).isEqualTo(new IdentityChange.Erasure("S", List.of(), Instant.EPOCH).key());

        assertThat(IdentityChanges.problemOf(MemberIdentityChange.newBuilder().setErased(MemberErased.newBuilder()
                .setErasedAt(AT)).build())).isEqualTo("erased.member_id: is required");
        assertThat(IdentityChanges.problemOf(MemberIdentityChange.newBuilder().setErased(MemberErased.newBuilder()
                .setMemberId("S")).build())).isEqualTo("erased.erased_at: is required");
        assertThat(IdentityChanges.problemOf(MemberIdentityChange.newBuilder().setErased(MemberErased.newBuilder()
                .setMemberId("S").addAbsorbedMemberIds("S").setErasedAt(AT)).build()))
                .startsWith("erased.absorbed_member_ids:");
    }

    @Test
    void whatCannotBeAppliedSaysWhy() {
        assertThat(IdentityChanges.problemOf(MemberIdentityChange.getDefaultInstance()))
                .isEqualTo("change: neither merged, split nor erased");
        assertThat(IdentityChanges.problemOf(MemberIdentityChange.newBuilder().setMerged(MemberMerged.newBuilder()
                .setSurvivingMemberId("S").setMergedAt(AT)).build())).isEqualTo("merged.absorbed_member_id: is required");
        assertThat(IdentityChanges.problemOf(MemberIdentityChange.newBuilder().setMerged(MemberMerged.newBuilder()
                .setSurvivingMemberId("S").setAbsorbedMemberId("A")).build())).isEqualTo("merged.merged_at: is required");
        assertThat(IdentityChanges.problemOf(MemberIdentityChange.newBuilder().setSplit(MemberSplit.newBuilder()
                .setOriginalMemberId("O").setSplitAt(AT).addParts(SplitPart.newBuilder().setMemberId("P")
                        .addEventKeys("no-colon"))).build())).startsWith("split.parts.event_keys:");
    }

    @Test
    void aTimeNoInstantCanHoldIsRefusedNamingTheField() {
        // Valid protobuf beyond Timestamp's year 9999 (and Instant's range): refused with a reason, never thrown, so the
        // record goes to the dead-letter topic instead of failing the consumer's stream on every redelivery.
        Timestamp beyondInstant = Timestamp.newBuilder().setSeconds(31_556_889_864_403_200L).build();
        assertThat(IdentityChanges.problemOf(MemberIdentityChange.newBuilder().setMerged(MemberMerged.newBuilder()
                .setSurvivingMemberId("S").setAbsorbedMemberId("A").setMergedAt(beyondInstant)).build()))
                .startsWith("merged.merged_at: ");
        Timestamp afterYear9999 = Timestamp.newBuilder().setSeconds(253_402_300_800L).build();
        assertThat(IdentityChanges.problemOf(MemberIdentityChange.newBuilder().setSplit(MemberSplit.newBuilder()
                .setOriginalMemberId("O").setSplitAt(afterYear9999)).build())).startsWith("split.split_at: ");
        Timestamp badNanos = Timestamp.newBuilder().setSeconds(1_900_000_000L).setNanos(-1).build();
        assertThat(IdentityChanges.problemOf(MemberIdentityChange.newBuilder().setMerged(MemberMerged.newBuilder()
                .setSurvivingMemberId("S").setAbsorbedMemberId("A").setMergedAt(badNanos)).build()))
                .startsWith("merged.merged_at: ");
    }
}
