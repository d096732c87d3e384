package io.memberpulse.churn.api.grpc;

import io.grpc.Status;
import io.memberpulse.churn.ChurnScoredMapper;
import io.memberpulse.churn.ModelQueryService;
import io.memberpulse.churn.ScoreExplanationService;
import io.memberpulse.churn.ScoreQueryService;
import io.memberpulse.churn.domain.RoiCalculator;
import io.memberpulse.proto.churn.v1.ChurnScored;
import io.memberpulse.proto.churn.v1.ChurnService;
import io.memberpulse.proto.churn.v1.ExplainScoreRequest;
import io.memberpulse.proto.churn.v1.ScoreExplanation;
import io.memberpulse.proto.churn.v1.GetModelReportRequest;
import io.memberpulse.proto.churn.v1.GetScoreRequest;
import io.memberpulse.proto.churn.v1.ListModelsRequest;
import io.memberpulse.proto.churn.v1.ListModelsResponse;
import io.memberpulse.proto.churn.v1.ModelReportResponse;
import io.memberpulse.proto.churn.v1.RoiRequest;
import io.memberpulse.proto.churn.v1.RoiResponse;
import io.memberpulse.proto.churn.v1.TopRiskRequest;
import io.memberpulse.proto.churn.v1.TopRiskResponse;
import io.memberpulse.proto.auth.Callers;
import io.memberpulse.proto.auth.Roles;
import io.memberpulse.proto.checks.FieldChecks;
import io.memberpulse.proto.checks.InvalidFieldException;
import io.quarkus.grpc.GrpcService;
import io.quarkus.security.identity.CurrentIdentityAssociation;
import jakarta.annotation.security.RolesAllowed;
import io.smallrye.mutiny.Uni;

@GrpcService
@RolesAllowed(Roles.ANALYST)
class ChurnGrpcService implements ChurnService {

    private final ScoreQueryService queries;
    private final ModelQueryService models;
    private final ScoreExplanationService explanations;

    private final CurrentIdentityAssociation callers;

    ChurnGrpcService(ScoreQueryService queries, ModelQueryService models, ScoreExplanationService explanations,
            CurrentIdentityAssociation callers) {
        this.queries = queries;
        this.models = models;
        this.explanations = explanations;
        this.callers = callers;
    }

    /**
     * GetScore's access rule (ScoreQueryService.scoreFor); computed on a worker thread: the member's facts are read,
     * the model asked.
     */
    @Override
    @RolesAllowed({Roles.ANALYST, Roles.STAFF})
    public Uni<ScoreExplanation> explainScore(ExplainScoreRequest request) {
        return Uni.createFrom().item(() -> {
            FieldChecks.checkId("member_id", request.getMemberId());
            int max = io.memberpulse.churn.domain.ScoreExplanation.MAX_K;
            int k = request.hasK() ? request.getK() : io.memberpulse.churn.domain.ScoreExplanation.DEFAULT_K;
            if (k < 1 || k > max) {
                throw new InvalidFieldException("k", "must be a whole number within 1.." + max);
            }
            return k;
        }).flatMap(k -> callers.getDeferredIdentity().flatMap(caller -> Uni.createFrom()
                .item(() -> ScoreExplanationMapper.toProto(explanations.explain(request.getMemberId(), k, caller)))
                .runSubscriptionOn(io.smallrye.mutiny.infrastructure.Infrastructure.getDefaultWorkerPool())));
    }

    /** Store staff: a member whose home store is theirs; another store's member is NOT_FOUND, as an unknown one. */
    @Override
    @RolesAllowed({Roles.ANALYST, Roles.STAFF})
    public Uni<ChurnScored> getScore(GetScoreRequest request) {
        return Uni.createFrom().deferred(() -> {
            FieldChecks.checkId("member_id", request.getMemberId());
            // the caller's identity is resolved off the event loop: ask for it, never block on it
            return callers.getDeferredIdentity().flatMap(caller -> queries.scoreFor(request.getMemberId(), caller));
        }).map(ChurnScoredMapper::toProto);
    }

    /** Store staff see their own store's riskiest members only (the store_id claim of their token). */
    @Override
    @RolesAllowed({Roles.ANALYST, Roles.STAFF})
    public Uni<TopRiskResponse> topRisk(TopRiskRequest request) {
        // unset (empty) is every store, for callers allowed it; blank is a mistake, refused below, not a wider answer
        String store = request.getStoreId().isEmpty() ? null : request.getStoreId();
        // unset is REST's default, not 0 (a plain int32 read it as 0 and refused it); a k set is checked below
        int k = request.hasK() ? request.getK() : ScoreQueryService.DEFAULT_TOP_K;
        // the caller's identity is resolved off the event loop: ask for it, never block on it. Whether the caller may
        // see the store is decided first, as over REST: a refused caller learns nothing about the arguments.
        return callers.getDeferredIdentity().invoke(caller -> Callers.requireMaySee(caller, store))
                .invoke(() -> {
                    if (k < 1 || k > ScoreQueryService.MAX_TOP_K) {
                        throw invalid("k: must be within 1.." + ScoreQueryService.MAX_TOP_K);
                    }
                    if (store != null) {
                        if (store.isBlank()) {
                            throw invalid("store_id: must not be blank; leave it unset for every store");
                        }
                        FieldChecks.checkOptionalId("store_id", store);
                    }
                })
                .chain(() -> queries.top(store, k)).map(scores -> TopRiskResponse.newBuilder()
                .addAllScores(scores.stream().map(ChurnScoredMapper::toProto).toList()).build());
    }

    @Override
    public Uni<RoiResponse> calculateRoi(RoiRequest request) {
        return Uni.createFrom().item(() -> {
            // unset is not 0, as over REST: an ROI for no members or no uplift is not what was asked
            required("members", request.hasMembers());
            required("win_back_uplift", request.hasWinBackUplift());
            required("net_value_per_won_back", request.hasNetValuePerWonBack());
            RoiCalculator.Result result = RoiCalculator.calculate(new RoiCalculator.Inputs(request.getMembers(),
                    request.getRiskShare(), request.getTouchCost(), request.getCouponCost(), request.getWinBackUplift(),
                    request.getNetValuePerWonBack()));
            return RoiResponse.newBuilder().setTargeted(result.targeted()).setCost(result.cost())
                    .setGain(result.gain()).setRoi(result.roi()).build();
        });
    }

    @Override
    public Uni<ListModelsResponse> listModels(ListModelsRequest request) {
        return models.list().map(list -> ListModelsResponse.newBuilder()
                .addAllModels(list.stream().map(ModelSummaryMapper::toProto).toList()).build());
    }

    @Override
    public Uni<ModelReportResponse> getModelReport(GetModelReportRequest request) {
        return Uni.createFrom().deferred(() -> {
            FieldChecks.checkId("version", request.getVersion());
            return models.versionAndReport(request.getVersion());
        }).map(found -> found
                .map(stored -> ModelReportResponse.newBuilder().setSummary(ModelSummaryMapper.toProto(stored.version()))
                        .setReportJson(stored.report()).build())
                .orElseThrow(() -> Status.NOT_FOUND.withDescription("no model version " + request.getVersion())
                        .asRuntimeException()));
    }

    private static void required(String field, boolean present) {
        if (!present) {
            throw new InvalidFieldException(field, "is required");
        }
    }

    private static RuntimeException invalid(String description) {
        return Status.INVALID_ARGUMENT.withDescription(description).asRuntimeException();
    }
}
