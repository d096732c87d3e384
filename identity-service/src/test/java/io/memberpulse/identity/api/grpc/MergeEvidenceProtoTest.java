package io.memberpulse.identity.api.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Timestamp;
import io.memberpulse.identity.domain.RecordedMerge;
import io.memberpulse.proto.identity.v1.MergeEvidence;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** gRPC's MergeEvidence carries every field of the recorded merge that REST's evidence shows. */
class MergeEvidenceProtoTest {
    @Test
    void anUndoneProbabilisticMergeKeepsItsIdentifiersReasonsCauseAndSplit() {
        RecordedMerge merge = new RecordedMerge("ev-1", "m-survivor", "m-absorbed", "probabilistic", 17.25,
                List.of("masked_phone:138****5678", "platform_uid:mt-1"),
                List.of("masked_phone agree +9.1", "surname agree +4.2", "store agree +3.9"), "delivery:d-7",
                Instant.parse("2025-03-01T02:00:00Z"), Instant.parse("2025-03-01T02:00:05.123456Z"), "split-9");
        MergeEvidence evidence = IdentityGrpcService.toProto(merge);
        assertThat(evidence.getEvidenceId()).isEqualTo("ev-1");
        assertThat(evidence.getSurvivingMemberId()).isEqualTo("m-survivor");
        assertThat(evidence.getAbsorbedMemberId()).isEqualTo("m-absorbed");
        assertThat(evidence.getRule()).isEqualTo("probabilistic");
        assertThat(evidence.getScore()).isEqualTo(17.25);
        assertThat(evidence.getIdentifiersList()).isEqualTo(merge.identifiers());
        assertThat(evidence.getReasonsList()).isEqualTo(merge.reasons());
        assertThat(evidence.getEventKey()).isEqualTo("delivery:d-7");
        assertThat(instant(evidence.getOccurredAt())).isEqualTo(merge.occurredAt());
        assertThat(instant(evidence.getMergedAt())).isEqualTo(merge.mergedAt());
        assertThat(evidence.getUndoneBySplit()).isEqualTo("split-9");
    }

    @Test
    void aStandingMergeWithoutARecordedCauseLeavesThoseFieldsUnset() {
        RecordedMerge merge = new RecordedMerge("ev-2", "a", "b", "openid", 1.0, List.of("openid:o"), List.of(), null, null,
                Instant.parse("2025-03-01T02:00:05Z"), null);
        MergeEvidence evidence = IdentityGrpcService.toProto(merge);
        assertThat(evidence.getUndoneBySplit()).isEmpty();
        assertThat(evidence.getEventKey()).isEmpty();
        assertThat(evidence.hasOccurredAt()).isFalse();
    }

    static Instant instant(Timestamp timestamp) {
        return Instant.ofEpochSecond(timestamp.getSeconds(), timestamp.getNanos());
    }
}
