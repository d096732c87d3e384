package io.memberpulse.rfm.stream.in;

import com.google.protobuf.Timestamp;
import io.memberpulse.proto.identity.v1.MemberIdentityChange;
import io.memberpulse.rfm.domain.EventKey;
import io.memberpulse.rfm.domain.IdentityChange;
import io.memberpulse.rfm.domain.InvalidIdentityChangeException;
import java.time.Instant;

/** member.merges payloads to domain identity changes; an unusable one throws InvalidIdentityChangeException. */
final class IdentityChangeMapper {
    private IdentityChangeMapper() {
    }

    static IdentityChange toDomain(MemberIdentityChange change) {
        return switch (change.getChangeCase()) {
            case MERGED -> new IdentityChange.Merge(change.getMerged().getSurvivingMemberId(),
                    change.getMerged().getAbsorbedMemberId(), instant(change.getMerged().getMergedAt()));
            case SPLIT -> new IdentityChange.Split(change.getSplit().getOriginalMemberId(),
                    change.getSplit().getPartsList().stream().map(part -> new IdentityChange.Part(part.getMemberId(),
                            part.getEventKeysList().stream().map(EventKey::parse).toList())).toList(),
                    instant(change.getSplit().getSplitAt()));
            case CHANGE_NOT_SET -> throw new InvalidIdentityChangeException("change: neither merged nor split");
        };
    }

    private static Instant instant(Timestamp at) {
        return Instant.ofEpochSecond(at.getSeconds(), at.getNanos());
    }
}
