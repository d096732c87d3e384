package io.memberpulse.identity.api.rest;

import io.memberpulse.identity.MemberQueryService;
import io.memberpulse.identity.domain.MemberView;
import io.memberpulse.identity.domain.RawIdentifiers;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

@Path("/")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "members", description = "Unified members and their identifiers")
public class MemberResource {
    private final MemberQueryService queries;

    public MemberResource(MemberQueryService queries) {
        this.queries = queries;
    }

    public record ResolveResponse(String memberId, String matchedBy) {
    }

    public record TotalsResponse(long members, long events, long identifiers) {
    }

    @GET
    @Path("members/{memberId}")
    @Operation(summary = "A member with its identifiers")
    public Uni<MemberView> member(@PathParam("memberId") String memberId) {
        return queries.member(memberId);
    }

    @GET
    @Path("members/resolve")
    @Operation(summary = "Which member these identifiers belong to (404 when none)")
    public Uni<ResolveResponse> resolve(@QueryParam("phone") String phone, @QueryParam("union_id") String unionId,
            @QueryParam("openid") String openid, @QueryParam("member_no") String memberNo,
            @QueryParam("device_id") String deviceId, @QueryParam("platform_uid") String platformUid,
            @QueryParam("email") String email) {
        RawIdentifiers raw = new RawIdentifiers(phone, unionId, openid, memberNo, deviceId, platformUid, email);
        if (raw.isEmpty()) {
            throw new InvalidRequestException("identifiers",
                    "give at least one of phone, union_id, openid, member_no, device_id, platform_uid, email");
        }
        return queries.resolve(raw).map(found -> found
                .map(r -> new ResolveResponse(r.memberId(), r.matchedBy().code()))
                .orElseThrow(() -> new NotFoundException("no member has these identifiers")));
    }

    @GET
    @Path("stats")
    @Operation(summary = "Totals: members (not merged away), events, identifiers")
    public Uni<TotalsResponse> stats() {
        return queries.totals().map(t -> new TotalsResponse(t.members(), t.events(), t.identifiers()));
    }
}
