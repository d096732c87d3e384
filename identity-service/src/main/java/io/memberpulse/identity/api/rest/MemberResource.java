package io.memberpulse.identity.api.rest;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.memberpulse.identity.MemberQueryService;
import io.memberpulse.identity.SplitMemberService;
import io.memberpulse.identity.api.FieldLimits;
import io.memberpulse.identity.domain.MemberNotFoundException;
import io.memberpulse.identity.domain.MemberView;
import io.memberpulse.identity.domain.RawIdentifiers;
import io.memberpulse.proto.auth.Roles;
import io.memberpulse.proto.checks.InvalidFieldException;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.time.Instant;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponseSchema;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestResponse;

@RolesAllowed(Roles.ANALYST)
@Path("/")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "members", description = "Unified members and their identifiers")
public class MemberResource {
    private final MemberQueryService queries;
    private final SplitMemberService splits;
    private final SecurityIdentity caller;

    public MemberResource(MemberQueryService queries, SplitMemberService splits, SecurityIdentity caller) {
        this.queries = queries;
        this.splits = splits;
        this.caller = caller;
    }

    private static final String MASKED = "Identifier values are masked (+86 138****8000, a***@example.com, "
            + "oVx****tUv; member_no as it is); reveal=true shows them in full to the steward role only (403 to anyone "
            + "else), records the reveal (caller, member, time) and is never cached (Cache-Control: no-store)";

    /**
     * One merge and why: the rule (an identifier type, "same_order", "personal_device", or "probabilistic" with its
     * score and comparisons).
     */
    public record MergeEvidence(String evidenceId, String survivingMemberId, String absorbedMemberId, String rule,
            double score, List<String> identifiers, List<String> reasons, String eventKey, Instant occurredAt,
            Instant mergedAt, String undoneBySplit) {
    }

    public record EvidenceResponse(String memberId, List<MergeEvidence> merges) {
    }

    public record SplitPartRequest(@Schema(required = true) List<String> eventKeys) {
    }

    public record SplitRequest(@Schema(required = true) List<SplitPartRequest> parts, @Schema(required = true) String reason) {
    }

    public record SplitPartResponse(String memberId, List<String> eventKeys) {
    }

    public record SplitResponse(String originalMemberId, List<SplitPartResponse> parts, String reason, Instant splitAt) {
    }

    public record ResolveResponse(String memberId, String matchedBy) {
    }

    /** The identifiers to resolve, named as the import's columns. */
    public record ResolveRequest(String phone, @JsonProperty("union_id") String unionId, String openid,
            @JsonProperty("member_no") String memberNo, @JsonProperty("device_id") String deviceId,
            @JsonProperty("platform_uid") String platformUid, String email) {
    }

    public record TotalsResponse(long members, long events, long identifiers) {
    }

    @GET
    @Path("members/{memberId}")
    @RolesAllowed({Roles.ANALYST, Roles.STEWARD})
    @Operation(summary = "A member with its identifiers", description = MASKED)
    @APIResponseSchema(value = MemberView.class, responseDescription = "the member (a merged one's survivor): "
            + "identifiers held now, past and quarantined ones, event count, when it was created; no stores "
            + "(rfm-service has the home store)")
    @APIResponse(responseCode = "403", description = "reveal=true by a caller without the steward role")
    @APIResponse(responseCode = "404", description = "no member with this id")
    public Uni<RestResponse<MemberView>> member(@PathParam("memberId") String memberId,
            @QueryParam("reveal") boolean reveal) {
        return reveal ? queries.revealMember(memberId, caller).map(MemberResource::notStored)
                : queries.member(memberId).map(RestResponse::ok);
    }

    @GET
    @Path("members/{memberId}/evidence")
    @RolesAllowed({Roles.ANALYST, Roles.STEWARD})
    @Operation(summary = "Why a member is what it is: every merge into it (rule or score, identifiers, event, when)",
            description = MASKED)
    @APIResponseSchema(value = EvidenceResponse.class, responseDescription = "every merge into this member and the rule behind it")
    @APIResponse(responseCode = "403", description = "reveal=true by a caller without the steward role")
    @APIResponse(responseCode = "404", description = "no member with this id")
    public Uni<RestResponse<EvidenceResponse>> evidence(@PathParam("memberId") String memberId,
            @QueryParam("reveal") boolean reveal) {
        if (reveal) {
            return queries.revealEvidence(memberId, caller).map(MemberResource::toResponse).map(MemberResource::notStored);
        }
        return queries.evidence(memberId).map(MemberResource::toResponse).map(RestResponse::ok);
    }

    private static EvidenceResponse toResponse(MemberQueryService.Evidence found) {
        return new EvidenceResponse(found.memberId(), found.merges().stream().map(m -> new MergeEvidence(m.id(),
                m.survivingMemberId(), m.absorbedMemberId(), m.rule(), m.score(), m.identifiers(), m.reasons(),
                m.eventKey(), m.occurredAt(), m.mergedAt(), m.undoneBy())).toList());
    }

    /** Identifiers in full stay out of browser, proxy and gateway caches. */
    private static <T> RestResponse<T> notStored(T entity) {
        return RestResponse.ResponseBuilder.ok(entity).header("Cache-Control", "no-store").build();
    }

    @POST
    @Path("members/{memberId}/split")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Undo a member into parts: each part takes the listed events (\"source:event_id\") and "
            + "becomes a new member; publishes MemberSplit on member.merges; the parts never merge again on the same evidence")
    @APIResponseSchema(value = SplitResponse.class, responseDescription = "the split: the original member and the new ones")
    @APIResponse(responseCode = "404", description = "no member with this id")
    @APIResponse(responseCode = "409", description = "the member was merged into another since: split the survivor")
    @APIResponse(responseCode = "503",
            description = "another instance holds the writer lock: try again later (Retry-After)")
    public Uni<SplitResponse> split(@PathParam("memberId") String memberId, SplitRequest request) {
        if (request == null || request.parts() == null) {
            throw new InvalidRequestException("parts", "give the parts to split off, each with its eventKeys");
        }
        List<List<String>> parts = request.parts().stream()
                .map(p -> p == null || p.eventKeys() == null ? List.<String>of() : p.eventKeys()).toList();
        return Uni.createFrom().item(() -> splits.split(memberId, parts, request.reason()))
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                .map(split -> new SplitResponse(split.getOriginalMemberId(), split.getPartsList().stream()
                        .map(p -> new SplitPartResponse(p.getMemberId(), p.getEventKeysList())).toList(),
                        split.getReason(), Instant.ofEpochSecond(split.getSplitAt().getSeconds(),
                                split.getSplitAt().getNanos())));
    }

    private static final String WEAK_ALONE = "a device_id or a masked phone alone is weak evidence that never resolves "
            + "a member: 400 naming it";
    static final String NOT_IN_QUERY = "identifiers are not accepted in the query string; "
            + "POST /members/resolve with them in a JSON body";

    @POST
    @Path("members/resolve")
    @RolesAllowed({Roles.ANALYST, Roles.STEWARD})
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Which member these identifiers belong to (404 when none), the identifiers in the body: "
            + "phones and e-mail addresses stay out of URLs, and so out of proxies' and gateways' access logs; "
            + WEAK_ALONE)
    @APIResponseSchema(value = ResolveResponse.class, responseDescription = "the member and the identifier that matched")
    @APIResponse(responseCode = "404", description = "no member holds any of these identifiers")
    public Uni<ResolveResponse> resolve(ResolveRequest request) {
        RawIdentifiers raw = request == null ? new RawIdentifiers(null, null, null, null, null, null, null)
                : new RawIdentifiers(request.phone(), request.unionId(), request.openid(), request.memberNo(),
                        request.deviceId(), request.platformUid(), request.email());
        checkIdentifiers(raw);
        return resolve(raw);
    }

    /**
     * Refused: an identifier in a URL lands in every gateway's and ingress controller's access log, where it outlives
     * any masking. The values are not read (not even checked), only which one came first is named.
     */
    @GET
    @Path("members/resolve")
    @Deprecated
    @Operation(summary = "Refused (400 naming the first identifier given): " + NOT_IN_QUERY)
    @APIResponse(responseCode = "400", description = NOT_IN_QUERY)
    public Uni<ResolveResponse> resolveInQuery(@QueryParam("phone") String phone, @QueryParam("union_id") String unionId,
            @QueryParam("openid") String openid, @QueryParam("member_no") String memberNo,
            @QueryParam("device_id") String deviceId, @QueryParam("platform_uid") String platformUid,
            @QueryParam("email") String email) {
        String[] names = {"phone", "union_id", "openid", "member_no", "device_id", "platform_uid", "email"};
        String[] values = {phone, unionId, openid, memberNo, deviceId, platformUid, email};
        for (int i = 0; i < names.length; i++) {
            if (values[i] != null) {
                throw new InvalidRequestException(names[i], NOT_IN_QUERY);
            }
        }
        throw new InvalidRequestException("identifiers", NOT_IN_QUERY);
    }

    /**
     * The import's limits, before anything reads a value further (the e-mail rule on 64 KB took seconds), each
     * identifier named as the body spells it, as the import's column ({@code member_no}, not the camel
     * case other bodies use).
     */
    private static void checkIdentifiers(RawIdentifiers raw) {
        try {
            FieldLimits.checkIdentifiers(raw);
        } catch (InvalidFieldException e) {
            throw new InvalidRequestException(e.field(), e.reason());
        }
    }

    private Uni<ResolveResponse> resolve(RawIdentifiers raw) {
        if (raw.isEmpty()) {
            throw new InvalidRequestException("identifiers",
                    "give at least one of phone, union_id, openid, member_no, device_id, platform_uid, email");
        }
        return queries.resolve(raw).map(found -> found
                .map(r -> new ResolveResponse(r.memberId(), r.matchedBy().code()))
                .orElseThrow(MemberNotFoundException::withTheseIdentifiers));
    }

    @GET
    @Path("stats")
    @Operation(summary = "Totals: members (not merged away), events, identifiers")
    public Uni<TotalsResponse> stats() {
        return queries.totals().map(t -> new TotalsResponse(t.members(), t.events(), t.identifiers()));
    }
}
