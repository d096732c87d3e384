package io.memberpulse.proto.merges;

import com.google.protobuf.Timestamp;
import io.memberpulse.proto.identity.v1.MemberIdentityChange;
import java.time.Instant;

/**
 * member.merges payloads as the identity changes rfm-service, churn-service and campaign-service apply; an unusable
 * one throws InvalidIdentityChange.
 */
public final class IdentityChanges {
    /** 9999-12-31T23:59:59Z, google.protobuf.Timestamp's last second. */
    private static final long LATEST_SECONDS = 253_402_300_799L;

    private IdentityChanges() {
    }

    public static IdentityChange toDomain(MemberIdentityChange change) {
        return switch (change.getChangeCase()) {
            case MERGED -> new IdentityChange.Merge(change.getMerged().getSurvivingMemberId(),
                    change.getMerged().getAbsorbedMemberId(), instant(change.getMerged().getMergedAt(), "merged.merged_at"));
            case SPLIT -> new IdentityChange.Split(change.getSplit().getOriginalMemberId(),
                    change.getSplit().getPartsList().stream().map(part -> new IdentityChange.Part(part.getMemberId(),
                            part.getEventKeysList().stream().map(IdentityChange.EventKey::parse).toList())).toList(),
                    instant(change.getSplit().getSplitAt(), "split.split_at"));
            case ERASED -> new IdentityChange.Erasure(change.getErased().getMemberId(),
                    change.getErased().getAbsorbedMemberIdsList(), instant(change.getErased().getErasedAt(), "erased.erased_at"));
            case CHANGE_NOT_SET -> throw new InvalidIdentityChange("change", "neither merged, split nor erased");
        };
    }

    /** Why a change cannot be applied, or null when it can. */
    public static String problemOf(MemberIdentityChange change) {
        try {
            toDomain(change);
            return null;
        } catch (InvalidIdentityChange e) {
            return e.field() + ": " + e.getMessage();
        }
    }

    private static Instant instant(Timestamp at, String field) {
        if (at.getSeconds() <= 0) {
            throw new InvalidIdentityChange(field, "is required");
        }
        // Valid protobuf may hold any seconds and nanos; beyond Timestamp's range Instant throws, which would fail the
        // consumer on every redelivery instead of dead-lettering the record.
        if (at.getSeconds() > LATEST_SECONDS || at.getNanos() < 0 || at.getNanos() > 999_999_999) {
            throw new InvalidIdentityChange(field, at.getSeconds() + " s " + at.getNanos()
                    + " ns is outside google.protobuf.Timestamp's range (years 0001..9999, nanos 0..999,999,999)");
        }
        return Instant.ofEpochSecond(at.getSeconds(), at.getNanos());
    }
}
