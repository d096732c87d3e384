package io.memberpulse.identity.api.grpc;

import com.google.protobuf.Timestamp;
import io.grpc.Status;
import io.memberpulse.identity.MemberQueryService;
import io.memberpulse.identity.api.EventIntake;
import io.memberpulse.identity.domain.MemberView;
import io.memberpulse.identity.domain.RawIdentifiers;
import io.memberpulse.proto.identity.v1.ChannelEvent;
import io.memberpulse.proto.identity.v1.GetMemberRequest;
import io.memberpulse.proto.identity.v1.Identifier;
import io.memberpulse.proto.identity.v1.IdentityService;
import io.memberpulse.proto.identity.v1.ImportSummary;
import io.memberpulse.proto.identity.v1.Member;
import io.memberpulse.proto.identity.v1.MemberEvidence;
import io.memberpulse.proto.identity.v1.MemberSplit;
import io.memberpulse.proto.identity.v1.PastIdentifier;
import io.memberpulse.proto.identity.v1.Rejection;
import io.memberpulse.proto.identity.v1.ResolveRequest;
import io.memberpulse.proto.identity.v1.ResolveResponse;
import io.memberpulse.proto.identity.v1.SplitMemberRequest;
import io.quarkus.grpc.GrpcService;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

@GrpcService
class IdentityGrpcService implements IdentityService {
    private final MemberQueryService queries;
    private final EventIntake intake;

    IdentityGrpcService(MemberQueryService queries, EventIntake intake) {
        this.queries = queries;
        this.intake = intake;
    }

    @Override
    public Uni<ResolveResponse> resolve(ResolveRequest request) {
        var ids = request.getIdentifiers();
        RawIdentifiers raw = new RawIdentifiers(ids.getPhone(), ids.getUnionId(), ids.getOpenid(), ids.getMemberNo(),
                ids.getDeviceId(), ids.getPlatformUid(), ids.getEmail());
        if (raw.isEmpty()) {
            return Uni.createFrom().failure(Status.INVALID_ARGUMENT
                    .withDescription("identifiers: give at least one identifier").asRuntimeException());
        }
        return queries.resolve(raw).map(found -> found
                .map(r -> ResolveResponse.newBuilder().setFound(true).setMemberId(r.memberId())
                        .setMatchedBy(r.matchedBy().code()).build())
                .orElse(ResolveResponse.newBuilder().setFound(false).build()));
    }

    @Override
    public Uni<Member> getMember(GetMemberRequest request) {
        if (request.getMemberId().isBlank()) {
            return Uni.createFrom().failure(Status.INVALID_ARGUMENT
                    .withDescription("member_id: is required").asRuntimeException());
        }
        return queries.member(request.getMemberId()).map(IdentityGrpcService::toProto);
    }

    @Override
    public Uni<ImportSummary> importEvents(Multi<ChannelEvent> events) {
        AtomicLong position = new AtomicLong();
        EventIntake.Session session = intake.open();
        // The intake blocks (batched database work); keep it off the event loop.
        return events.emitOn(Infrastructure.getDefaultWorkerPool())
                .onItem().invoke(event -> session.offerEvent(position.incrementAndGet(), event))
                .collect().last()
                .map(ignored -> session.finish())
                .map(summary -> {
                    ImportSummary.Builder answer = ImportSummary.newBuilder().setAccepted(summary.accepted())
                            .setDuplicates(summary.duplicates()).setRejected(summary.rejected());
                    summary.rejections().forEach(r -> answer.addRejections(Rejection.newBuilder()
                            .setIndex(r.position()).setField(r.field()).setReason(r.reason())));
                    return answer.build();
                });
    }

    @Override
    public Uni<MemberEvidence> getEvidence(GetMemberRequest request) {
        return Uni.createFrom().failure(Status.UNIMPLEMENTED
                .withDescription("merge evidence arrives with probabilistic stitching").asRuntimeException());
    }

    @Override
    public Uni<MemberSplit> splitMember(SplitMemberRequest request) {
        return Uni.createFrom().failure(Status.UNIMPLEMENTED
                .withDescription("splitting members arrives with merge evidence").asRuntimeException());
    }

    static Member toProto(MemberView view) {
        Member.Builder member = Member.newBuilder().setMemberId(view.memberId()).setCreatedAt(timestamp(view.createdAt()))
                .setEventCount(view.eventCount());
        if (view.mergedInto() != null) {
            member.setMergedInto(view.mergedInto());
        }
        for (MemberView.LinkedIdentifier identifier : view.identifiers()) {
            member.addIdentifiers(Identifier.newBuilder().setType(identifier.type().code()).setValue(identifier.value())
                    .setFirstSeen(timestamp(identifier.firstSeen())).setLastSeen(timestamp(identifier.lastSeen())));
        }
        for (MemberView.PastIdentifier past : view.pastIdentifiers()) {
            member.addPastIdentifiers(PastIdentifier.newBuilder().setType(past.type().code()).setValue(past.value())
                    .setFirstSeen(timestamp(past.firstSeen())).setLastSeen(timestamp(past.lastSeen()))
                    .setEndedAt(timestamp(past.endedAt())));
        }
        return member.build();
    }

    private static Timestamp timestamp(Instant instant) {
        return Timestamp.newBuilder().setSeconds(instant.getEpochSecond()).setNanos(instant.getNano()).build();
    }
}
