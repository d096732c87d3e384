package io.memberpulse.rfm.api.grpc;

import com.google.protobuf.Timestamp;
import io.grpc.Status;
import io.memberpulse.proto.segments.v1.GetMemberRfmRequest;
import io.memberpulse.proto.segments.v1.LifecycleStage;
import io.memberpulse.proto.segments.v1.ListSegmentsRequest;
import io.memberpulse.proto.segments.v1.ListSegmentsResponse;
import io.memberpulse.proto.segments.v1.MemberProfile;
import io.memberpulse.proto.segments.v1.MemberRfm;
import io.memberpulse.proto.segments.v1.Segment;
import io.memberpulse.proto.segments.v1.SegmentMember;
import io.memberpulse.proto.segments.v1.SegmentService;
import io.memberpulse.proto.segments.v1.StreamSegmentMembersRequest;
import io.memberpulse.proto.segments.v1.Tag;
import io.memberpulse.rfm.RfmQueryService;
import io.memberpulse.rfm.domain.Rfm;
import io.memberpulse.rfm.domain.RfmSnapshot;
import io.quarkus.grpc.GrpcService;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import java.time.Instant;

@GrpcService
class SegmentGrpcService implements SegmentService {
    private final RfmQueryService queries;

    SegmentGrpcService(RfmQueryService queries) {
        this.queries = queries;
    }

    @Override
    public Uni<MemberRfm> getMemberRfm(GetMemberRfmRequest request) {
        return row(request).map(row -> toProto(row.rfm()));
    }

    @Override
    public Uni<MemberProfile> getMemberProfile(GetMemberRfmRequest request) {
        if (request.getMemberId().isBlank()) {
            return Uni.createFrom().failure(invalid("member_id: is required"));
        }
        return queries.profile(request.getMemberId()).map(profile -> {
            MemberProfile.Builder proto = MemberProfile.newBuilder().setMemberId(request.getMemberId())
                    .setStage(stage(profile.snapshot())).addAllSegmentIds(profile.snapshot().segments())
                    .setRfm(toProto(profile.snapshot().rfm()));
            profile.tags().forEach(tag -> proto.addTags(
                    Tag.newBuilder().setFamily(tag.family()).setName(tag.name()).setValue(tag.value())));
            return proto.build();
        });
    }

    @Override
    public Uni<ListSegmentsResponse> listSegments(ListSegmentsRequest request) {
        return queries.segments().map(sizes -> {
            ListSegmentsResponse.Builder answer = ListSegmentsResponse.newBuilder();
            sizes.forEach(s -> answer.addSegments(Segment.newBuilder().setSegmentId(s.id())
                    .setName(s.name()).setRule(s.rule()).setSize(s.size())));
            return answer.build();
        });
    }

    @Override
    public Multi<SegmentMember> streamSegmentMembers(StreamSegmentMembersRequest request) {
        if (request.getSegmentId().isBlank()) {
            return Multi.createFrom().failure(invalid("segment_id: is required"));
        }
        if (!queries.segmentExists(request.getSegmentId())) {
            return Multi.createFrom().failure(Status.NOT_FOUND
                    .withDescription("no segment " + request.getSegmentId()).asRuntimeException());
        }
        return queries.membersOf(request.getSegmentId(), request.getStoreId())
                .map(row -> SegmentMember.newBuilder().setMemberId(row.rfm().memberId())
                        .setHomeStoreId(nullToEmpty(row.rfm().homeStoreId())).build());
    }

    private Uni<RfmSnapshot> row(GetMemberRfmRequest request) {
        if (request.getMemberId().isBlank()) {
            return Uni.createFrom().failure(invalid("member_id: is required"));
        }
        if (request.hasAsOf()) {
            Instant asOf = Instant.ofEpochSecond(request.getAsOf().getSeconds(), request.getAsOf().getNanos());
            return queries.asOf(request.getMemberId(), asOf);
        }
        return queries.current(request.getMemberId());
    }

    /** The stage is the member's "stage:…" segment. */
    static LifecycleStage stage(RfmSnapshot row) {
        for (io.memberpulse.rfm.domain.LifecycleStage stage : io.memberpulse.rfm.domain.LifecycleStage.values()) {
            if (row.segments().contains(stage.segmentId())) {
                return LifecycleStage.valueOf("LIFECYCLE_STAGE_" + stage.name());
            }
        }
        return LifecycleStage.LIFECYCLE_STAGE_UNSPECIFIED;
    }

    static MemberRfm toProto(Rfm rfm) {
        MemberRfm.Builder proto = MemberRfm.newBuilder().setMemberId(rfm.memberId()).setAsOf(timestamp(rfm.asOf()))
                .setFrequency7D(rfm.frequency7d()).setFrequency14D(rfm.frequency14d())
                .setFrequency30D(rfm.frequency30d()).setFrequency90D(rfm.frequency90d())
                .setWeightedFrequency30D(rfm.weightedFrequency30d()).setWeightedFrequency90D(rfm.weightedFrequency90d())
                .setMonetaryNet30D(rfm.monetaryNet30d()).setMonetaryNet90D(rfm.monetaryNet90d())
                .setMonetaryMargin90D(rfm.monetaryMargin90d()).setOrdersTotal(rfm.ordersTotal())
                .setMonetaryNetTotal(rfm.monetaryNetTotal()).setHomeStoreId(nullToEmpty(rfm.homeStoreId()));
        if (rfm.recencyDays() != null) {
            proto.setRecencyDays(rfm.recencyDays());
        }
        if (rfm.lastPurchaseAt() != null) {
            proto.setLastPurchaseAt(timestamp(rfm.lastPurchaseAt()));
        }
        return proto.build();
    }

    private static RuntimeException invalid(String description) {
        return Status.INVALID_ARGUMENT.withDescription(description).asRuntimeException();
    }

    private static String nullToEmpty(String value) {
        return value == null ? "" : value;
    }

    private static Timestamp timestamp(Instant instant) {
        return Timestamp.newBuilder().setSeconds(instant.getEpochSecond()).setNanos(instant.getNano()).build();
    }
}
