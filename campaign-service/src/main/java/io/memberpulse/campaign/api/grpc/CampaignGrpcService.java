package io.memberpulse.campaign.api.grpc;

import io.memberpulse.campaign.CallListService;
import io.memberpulse.campaign.ContactRevealService;
import io.memberpulse.campaign.MonitorCampaignsService;
import io.memberpulse.campaign.RecordOutcomeService;
import io.memberpulse.campaign.RunCampaignsService;
import io.memberpulse.proto.campaign.v1.CallList;
import io.memberpulse.proto.campaign.v1.CallTask;
import io.memberpulse.proto.campaign.v1.CampaignResults;
import io.memberpulse.proto.campaign.v1.CampaignService;
import io.memberpulse.proto.campaign.v1.GetCallListRequest;
import io.memberpulse.proto.campaign.v1.GetCampaignResultsRequest;
import io.memberpulse.proto.campaign.v1.RecordOutcomeRequest;
import io.memberpulse.proto.campaign.v1.RevealContactRequest;
import io.memberpulse.proto.campaign.v1.RevealedContact;
import io.memberpulse.campaign.domain.StoreNotFoundException;
import io.memberpulse.proto.auth.Callers;
import io.memberpulse.proto.auth.Roles;
import io.memberpulse.proto.checks.FieldChecks;
import io.quarkus.grpc.GrpcService;
import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;

/**
 * Head office reads everything; store staff get their own store's call list and record its outcomes, the
 * store being the store_id claim of their token (the authorization metadata), never something they send.
 */
@GrpcService
@RolesAllowed(Roles.ANALYST)
class CampaignGrpcService implements CampaignService {
    private final CallListService callLists;
    private final RecordOutcomeService outcomes;
    private final RunCampaignsService campaigns;
    private final MonitorCampaignsService monitoring;
    private final ContactRevealService reveals;
    private final CurrentIdentityAssociation callers;

    CampaignGrpcService(CallListService callLists, RecordOutcomeService outcomes, RunCampaignsService campaigns,
            MonitorCampaignsService monitoring, ContactRevealService reveals, CurrentIdentityAssociation callers) {
        this.callLists = callLists;
        this.outcomes = outcomes;
        this.campaigns = campaigns;
        this.monitoring = monitoring;
        this.reveals = reveals;
        this.callers = callers;
    }

    /** Field checks (store_id required and an id, limit not negative) happen in CallListQuery, mapped by GrpcErrorMapper. */
    @Override
    @RolesAllowed({Roles.ANALYST, Roles.STAFF})
    public Uni<CallList> getCallList(GetCallListRequest request) {
        // The caller's identity is resolved off the event loop: ask for it, never block on it.
        return callers.getDeferredIdentity().flatMap(caller -> {
            // the store checked is the store loaded, to the character: " s1" or "s1\u3000" is another store's id
            if (!Callers.maySee(caller, request.getStoreId())) {
                // NOT_FOUND as for an unknown store, as over REST: staff cannot even learn which other stores exist.
                return Uni.createFrom().failure(new StoreNotFoundException(request.getStoreId()));
            }
            return callLists.callList(request.getStoreId(), request.getLimit()).map(GrpcMapper::toProto);
        });
    }

    /**
     * Staff cannot touch another store's tasks: NOT_FOUND, as for a task that does not exist. An unset version is 0
     * (GrpcMapper.outcome): a task changed since is still ABORTED by the version check.
     */
    @Override
    @RolesAllowed({Roles.ANALYST, Roles.STAFF})
    public Uni<CallTask> recordOutcome(RecordOutcomeRequest request) {
        return Uni.createFrom().item(() -> GrpcMapper.outcome(request))
                .flatMap(outcome -> callers.getDeferredIdentity().flatMap(caller -> outcomes.record(request.getTaskId(),
                        outcome, request.getVersion(), Callers.boundStore(caller).orElse(null))))
                .map(recorded -> GrpcMapper.toProto(recorded, callLists.currency()));
    }

    /** As over REST: another store's task is NOT_FOUND, a closed one FAILED_PRECONDITION; each reveal recorded. */
    @Override
    @RolesAllowed({Roles.ANALYST, Roles.STAFF})
    public Uni<RevealedContact> revealContact(RevealContactRequest request) {
        return Uni.createFrom().deferred(() -> {
            FieldChecks.checkId("task_id", request.getTaskId());
            return callers.getDeferredIdentity();
        }).flatMap(caller -> reveals.reveal(request.getTaskId(), caller)).map(found -> RevealedContact.newBuilder()
                .setTaskId(found.taskId()).setMemberId(found.memberId())
                .setPhone(found.phone() == null ? "" : found.phone()).build());
    }

    @Override
    public Uni<CampaignResults> getCampaignResults(GetCampaignResultsRequest request) {
        String id = request.getCampaignId();
        return Uni.createFrom().deferred(() -> {
            FieldChecks.checkId("campaign_id", id);
            return campaigns.review(id);
        }).flatMap(review -> monitoring.live(id).flatMap(live -> monitoring.beforeAfter(id)
                .map(beforeAfter -> GrpcMapper.toProto(id, review, live, beforeAfter, campaigns.currency()))));
    }
}
