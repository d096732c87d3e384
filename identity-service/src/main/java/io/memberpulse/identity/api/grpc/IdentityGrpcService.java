package io.memberpulse.identity.api.grpc;

import com.google.protobuf.Timestamp;
import io.grpc.Status;
import io.memberpulse.identity.MemberErasureService;
import io.memberpulse.identity.MemberQueryService;
import io.memberpulse.proto.identity.v1.EraseMemberRequest;
import io.memberpulse.proto.identity.v1.Erasure;
import io.memberpulse.identity.SplitMemberService;
import io.memberpulse.proto.identity.v1.MemberMerged;
import java.util.List;
import io.memberpulse.identity.api.EventIntake;
import io.memberpulse.identity.api.FieldLimits;
import io.memberpulse.identity.domain.MemberView;
import io.memberpulse.identity.domain.RawIdentifiers;
import io.memberpulse.identity.domain.RecordedMerge;
import io.memberpulse.proto.identity.v1.ChannelEvent;
import io.memberpulse.proto.identity.v1.GetMemberRequest;
import io.memberpulse.proto.identity.v1.Identifier;
import io.memberpulse.proto.identity.v1.IdentityService;
import io.memberpulse.proto.identity.v1.ImportSummary;
import io.memberpulse.proto.identity.v1.Member;
import io.memberpulse.proto.identity.v1.MemberEvidence;
import io.memberpulse.proto.identity.v1.MergeEvidence;
import io.memberpulse.proto.identity.v1.MemberSplit;
import io.memberpulse.proto.identity.v1.PastIdentifier;
import io.memberpulse.proto.identity.v1.Rejection;
import io.memberpulse.proto.identity.v1.ResolveRequest;
import io.memberpulse.proto.identity.v1.ResolveResponse;
import io.memberpulse.proto.identity.v1.SplitMemberRequest;
import io.memberpulse.proto.auth.Roles;
import io.memberpulse.proto.checks.FieldChecks;
import io.memberpulse.proto.checks.InvalidFieldException;
import io.quarkus.grpc.GrpcService;
import io.quarkus.security.identity.CurrentIdentityAssociation;
import jakarta.annotation.security.RolesAllowed;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

@GrpcService
@RolesAllowed(Roles.ANALYST)
class IdentityGrpcService implements IdentityService {
    private final MemberQueryService queries;
    private final EventIntake intake;
    private final SplitMemberService splits;
    private final CurrentIdentityAssociation callers;
    private final MemberErasureService erasures;

    IdentityGrpcService(MemberQueryService queries, EventIntake intake, SplitMemberService splits,
            CurrentIdentityAssociation callers, MemberErasureService erasures) {
        this.erasures = erasures;
        this.queries = queries;
        this.intake = intake;
        this.splits = splits;
        this.callers = callers;
    }

    @Override
    @RolesAllowed({Roles.ANALYST, Roles.STEWARD})
    public Uni<ResolveResponse> resolve(ResolveRequest request) {
        var ids = request.getIdentifiers();
        RawIdentifiers raw = new RawIdentifiers(ids.getPhone(), ids.getUnionId(), ids.getOpenid(), ids.getMemberNo(),
                ids.getDeviceId(), ids.getPlatformUid(), ids.getEmail());
        if (raw.isEmpty()) {
            return Uni.createFrom().failure(Status.INVALID_ARGUMENT
                    .withDescription("identifiers: give at least one identifier").asRuntimeException());
        }
        try {
            // the import's limits, before anything reads a value further (this runs on the event loop)
            FieldLimits.checkIdentifiers(raw);
        } catch (InvalidFieldException e) {
            return Uni.createFrom().failure(Status.INVALID_ARGUMENT
                    .withDescription("identifiers." + e.field() + ": " + e.reason()).asRuntimeException());
        }
        return queries.resolve(raw).map(found -> found
                .map(r -> ResolveResponse.newBuilder().setFound(true).setMemberId(r.memberId())
                        .setMatchedBy(r.matchedBy().code()).build())
                .orElse(ResolveResponse.newBuilder().setFound(false).build()));
    }

    /** Identifier values masked, unless a steward asks for a reveal (recorded; PERMISSION_DENIED for anyone else). */
    @Override
    @RolesAllowed({Roles.ANALYST, Roles.STEWARD})
    public Uni<Member> getMember(GetMemberRequest request) {
        // As every service: no control character (PostgreSQL refuses a NUL in text) and no longer than any id, which
        // NOT_FOUND would quote back whole in its status description, an HTTP/2 header.
        try {
            FieldChecks.checkId("member_id", request.getMemberId());
        } catch (InvalidFieldException e) {
            return Uni.createFrom().failure(e);
        }
        Uni<MemberView> member = request.getReveal()
                ? callers.getDeferredIdentity().flatMap(caller -> queries.revealMember(request.getMemberId(), caller))
                : queries.member(request.getMemberId());
        return member.map(IdentityGrpcService::toProto);
    }

    /** Channel integrations stream their events here, as they POST /events over REST. */
    @Override
    @RolesAllowed({Roles.INGEST, Roles.ANALYST})
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
                            .setDuplicates(summary.duplicates()).setRejected(summary.rejected())
                            .setChanged(summary.changed()).addAllChangedEvents(summary.changedEvents());
                    summary.rejections().forEach(r -> answer.addRejections(Rejection.newBuilder()
                            .setIndex(r.position()).setField(r.field()).setReason(r.reason())));
                    return answer.build();
                });
    }

    /** As getMember, identifiers masked unless a steward asks for a reveal. */
    @Override
    @RolesAllowed({Roles.ANALYST, Roles.STEWARD})
    public Uni<MemberEvidence> getEvidence(GetMemberRequest request) {
        try {
            FieldChecks.checkId("member_id", request.getMemberId());
        } catch (InvalidFieldException e) {
            return Uni.createFrom().failure(e);
        }
        Uni<MemberQueryService.Evidence> found = request.getReveal()
                ? callers.getDeferredIdentity().flatMap(caller -> queries.revealEvidence(request.getMemberId(), caller))
                : queries.evidence(request.getMemberId());
        return found.map(merges -> {
            MemberEvidence.Builder evidence = MemberEvidence.newBuilder().setMemberId(merges.memberId());
            merges.merges().forEach(m -> {
                evidence.addMerges(MemberMerged.newBuilder()
                        .setSurvivingMemberId(m.survivingMemberId()).setAbsorbedMemberId(m.absorbedMemberId())
                        .setRule(m.rule()).setScore(m.score()).setEvidenceId(m.id())
                        .setMergedAt(timestamp(m.mergedAt())));
                evidence.addEvidence(toProto(m));
            });
            return evidence.build();
        });
    }

    @Override
    public Uni<MemberSplit> splitMember(SplitMemberRequest request) {
        try {
            FieldChecks.checkId("member_id", request.getMemberId());
        } catch (InvalidFieldException e) {
            return Uni.createFrom().failure(e);
        }
        List<List<String>> parts = request.getPartsList().stream().map(p -> List.copyOf(p.getEventKeysList())).toList();
        return Uni.createFrom().item(() -> splits.split(request.getMemberId(), parts, request.getReason()))
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
    }

    /** As POST /members/{id}/erasure: the steward's only, recorded under the token's subject. */
    @Override
    @RolesAllowed(Roles.STEWARD)
    public Uni<Erasure> eraseMember(EraseMemberRequest request) {
        try {
            FieldChecks.checkId("member_id", request.getMemberId());
            MemberErasureService.checkReference(request.getReference());
        } catch (InvalidFieldException e) {
            return Uni.createFrom().failure(e);
        }
        return callers.getDeferredIdentity().map(MemberErasureService::subjectOf)
                .emitOn(Infrastructure.getDefaultWorkerPool())
                .map(subject -> erasures.erase(request.getMemberId(), request.getReference(), subject))
                .map(erasure -> Erasure.newBuilder().setErasureId(erasure.erasureId()).setMemberId(erasure.memberId())
                        .addAllAbsorbedMemberIds(erasure.absorbedMemberIds()).setReference(erasure.reference())
                        .setRequestedBy(erasure.requestedBy()).setErasedAt(timestamp(erasure.erasedAt())).build());
    }

    /** A recorded merge with everything REST's evidence shows of it. */
    static MergeEvidence toProto(RecordedMerge merge) {
        MergeEvidence.Builder evidence = MergeEvidence.newBuilder().setEvidenceId(merge.id())
                .setSurvivingMemberId(merge.survivingMemberId()).setAbsorbedMemberId(merge.absorbedMemberId())
                .setRule(merge.rule()).setScore(merge.score())
                .addAllIdentifiers(merge.identifiers()).addAllReasons(merge.reasons())
                .setMergedAt(timestamp(merge.mergedAt()));
        if (merge.eventKey() != null) {
            evidence.setEventKey(merge.eventKey());
        }
        if (merge.occurredAt() != null) {
            evidence.setOccurredAt(timestamp(merge.occurredAt()));
        }
        if (merge.undoneBy() != null) {
            evidence.setUndoneBySplit(merge.undoneBy());
        }
        return evidence.build();
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
        for (MemberView.LinkedIdentifier quarantined : view.quarantinedIdentifiers()) {
            member.addQuarantinedIdentifiers(Identifier.newBuilder().setType(quarantined.type().code())
                    .setValue(quarantined.value()).setFirstSeen(timestamp(quarantined.firstSeen()))
                    .setLastSeen(timestamp(quarantined.lastSeen())));
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
