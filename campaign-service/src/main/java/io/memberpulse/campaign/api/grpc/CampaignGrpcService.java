package io.memberpulse.campaign.api.grpc;

import io.grpc.Status;
import io.memberpulse.campaign.CallListService;
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
import io.memberpulse.campaign.domain.StoreNotFoundException;
import io.quarkus.grpc.GrpcService;
import io.quarkus.grpc.RegisterInterceptor;
import io.smallrye.mutiny.Uni;

@GrpcService
@RegisterInterceptor(CallerStoreInterceptor.class)
class CampaignGrpcService implements CampaignService {
    private final CallListService callLists;
    private final RecordOutcomeService outcomes;
    private final RunCampaignsService campaigns;
    private final MonitorCampaignsService monitoring;

    CampaignGrpcService(CallListService callLists, RecordOutcomeService outcomes, RunCampaignsService campaigns,
            MonitorCampaignsService monitoring) {
        this.callLists = callLists;
        this.outcomes = outcomes;
        this.campaigns = campaigns;
        this.monitoring = monitoring;
    }

    /** Field checks (blank store_id, negative limit) happen in CallListQuery, mapped by GrpcErrorMapper. */
    @Override
    public Uni<CallList> getCallList(GetCallListRequest request) {
        String callerStore = CallerStoreInterceptor.callerStore();
        if (callerStore != null && !callerStore.equals(request.getStoreId().strip())) {
            // NOT_FOUND as for an unknown store, as over REST: staff cannot even learn which other stores exist.
            return Uni.createFrom().failure(new StoreNotFoundException(request.getStoreId()));
        }
        return callLists.callList(request.getStoreId(), request.getLimit()).map(GrpcMapper::toProto);
    }

    /** A staff app bound to a store (x-store-id) cannot touch another store's tasks. */
    @Override
    public Uni<CallTask> recordOutcome(RecordOutcomeRequest request) {
        String callerStore = CallerStoreInterceptor.callerStore();
        return Uni.createFrom().item(() -> GrpcMapper.outcome(request))
                .flatMap(outcome -> outcomes.record(request.getTaskId(), outcome, request.getVersion(), callerStore))
                .map(GrpcMapper::toProto);
    }

    @Override
    public Uni<CampaignResults> getCampaignResults(GetCampaignResultsRequest request) {
        if (request.getCampaignId().isBlank()) {
            return Uni.createFrom().failure(Status.INVALID_ARGUMENT.withDescription("campaign_id: is required").asRuntimeException());
        }
        String id = request.getCampaignId();
        return campaigns.review(id).flatMap(review -> monitoring.live(id).flatMap(live -> monitoring.beforeAfter(id)
                .map(beforeAfter -> GrpcMapper.toProto(id, review, live, beforeAfter))));
    }
}
