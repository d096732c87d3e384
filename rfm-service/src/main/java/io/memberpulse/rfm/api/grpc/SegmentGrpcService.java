package io.memberpulse.rfm.api.grpc;

import com.google.protobuf.Timestamp;
import io.memberpulse.proto.auth.Roles;
import io.memberpulse.proto.checks.FieldChecks;
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
import io.memberpulse.rfm.domain.InvalidParameterException;
import io.memberpulse.rfm.domain.ParameterChecks;
import io.memberpulse.rfm.domain.Rfm;
import io.memberpulse.rfm.domain.RfmSnapshot;
import io.memberpulse.rfm.domain.UnknownSegmentException;
import io.quarkus.grpc.GrpcService;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import java.time.Instant;

/**
 * Requests are checked here, each refusal an InvalidParameterException naming the proto field, an
 * unknown member or segment the domain's not-found exception; GrpcErrorMapper turns them into
 * INVALID_ARGUMENT "field: reason" and NOT_FOUND.
 */
@GrpcService
@RolesAllowed(Roles.ANALYST)
class SegmentGrpcService implements SegmentService {

    private final RfmQueryService queries;

    SegmentGrpcService(RfmQueryService queries) {
        this.queries = queries;
    }

    @Override
    public Uni<MemberRfm> getMemberRfm(GetMemberRfmRequest request) {
        return Uni.createFrom().deferred(() -> row(request)).map(row -> toProto(row.rfm()));
    }

    @Override
    public Uni<MemberProfile> getMemberProfile(GetMemberRfmRequest request) {
        return Uni.createFrom().deferred(() -> {
            FieldChecks.checkId("member_id", request.getMemberId());
            if (request.hasAsOf()) {
                // The request type is GetMemberRfm's; a profile is only known as of now, so as_of is not silently ignored.
                throw new InvalidParameterException("as_of", "not supported: the profile is always the current one "
                        + "(leave as_of unset; GetMemberRfm answers as of an instant)");
            }
            return queries.profile(request.getMemberId());
        }).map(profile -> {
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
        return Multi.createFrom().deferred(() -> {
            FieldChecks.checkId("segment_id", request.getSegmentId());
            if (!request.getStoreId().isBlank()) { // blank: every store
                FieldChecks.checkOptionalId("store_id", request.getStoreId());
            }
            if (!queries.segmentExists(request.getSegmentId())) {
                throw new UnknownSegmentException(request.getSegmentId());
            }
            return queries.membersOf(request.getSegmentId(), request.getStoreId());
        }).map(row -> SegmentMember.newBuilder().setMemberId(row.rfm().memberId())
                .setHomeStoreId(nullToEmpty(row.rfm().homeStoreId())).build());
    }

    private Uni<RfmSnapshot> row(GetMemberRfmRequest request) {
        FieldChecks.checkId("member_id", request.getMemberId());
        if (request.hasAsOf()) {
            return queries.asOf(request.getMemberId(), instant("as_of", request.getAsOf()), false);
        }
        return queries.current(request.getMemberId());
    }

    /** A Timestamp within its documented range (seconds 0001..9999, nanos 0..999999999) as an Instant. */
    static Instant instant(String field, Timestamp timestamp) {
        if (timestamp.getSeconds() < ParameterChecks.EARLIEST_INSTANT.getEpochSecond()
                || timestamp.getSeconds() > ParameterChecks.LATEST_INSTANT.getEpochSecond()) {
            throw new InvalidParameterException(field, "seconds " + timestamp.getSeconds() + " is outside "
                    + ParameterChecks.EARLIEST_INSTANT + ".." + ParameterChecks.LATEST_INSTANT);
        }
        if (timestamp.getNanos() < 0 || timestamp.getNanos() > 999_999_999) {
            throw new InvalidParameterException(field, "nanos " + timestamp.getNanos() + " is outside 0..999999999");
        }
        return Instant.ofEpochSecond(timestamp.getSeconds(), timestamp.getNanos());
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
        if (rfm.registeredAt() != null) {
            proto.setRegisteredAt(timestamp(rfm.registeredAt()));
        }
        return proto.build();
    }

    private static String nullToEmpty(String value) {
        return value == null ? "" : value;
    }

    private static Timestamp timestamp(Instant instant) {
        return Timestamp.newBuilder().setSeconds(instant.getEpochSecond()).setNanos(instant.getNano()).build();
    }
}
