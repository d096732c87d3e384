package io.memberpulse.identity.api.rest;

import io.memberpulse.identity.MemberErasureService;
import io.memberpulse.identity.MemberErasureService.Erasure;
import io.memberpulse.proto.auth.Roles;
import io.memberpulse.proto.checks.InvalidFieldException;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.function.Supplier;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponseSchema;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestResponse;

/** Member erasure at the person's request (PIPL Art. 47 / GDPR Art. 17): for data stewards only. */
@RolesAllowed(Roles.STEWARD)
@Path("/")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "members", description = "Unified members and their identifiers")
public class ErasureResource {
    private final MemberErasureService erasures;
    private final SecurityIdentity caller;

    public ErasureResource(MemberErasureService erasures, SecurityIdentity caller) {
        this.erasures = erasures;
        this.caller = caller;
    }

    public record ErasureRequest(@Schema(required = true, maxLength = MemberErasureService.MAX_REFERENCE_LENGTH,
            description = "the erasure request's ticket number; must not name the person") String reference) {
    }

    @POST
    @Path("members/{memberId}/erasure")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Erase a member at the person's request: identifiers, profile and texts go from every table, "
            + "the events keep their keys and amounts, the member (an absorbed id: the member it was merged into) reads "
            + "as unknown from then on and MemberErased goes to member.merges. Asked again: the first erasure, nothing "
            + "changes. Steward role only; never cached (Cache-Control: no-store)")
    @APIResponseSchema(value = Erasure.class, responseDescription = "the erasure as recorded")
    @APIResponse(responseCode = "400", description = "reference missing, longer than 200 characters or with control characters")
    @APIResponse(responseCode = "403", description = "a caller without the steward role")
    @APIResponse(responseCode = "404", description = "no member with this id")
    @APIResponse(responseCode = "503", description = "another instance holds the writer lock: try again later (Retry-After)")
    public Uni<RestResponse<Erasure>> erase(@PathParam("memberId") String memberId, ErasureRequest request) {
        String reference = request == null ? null : request.reference();
        String subject = MemberErasureService.subjectOf(caller);
        return blocking(() -> erasures.erase(memberId, reference, subject)).map(ErasureResource::notStored);
    }

    @GET
    @Path("erasures/{erasureId}")
    @Operation(summary = "An erasure as recorded: the member ids erased, the reference, who asked and when. Steward role only")
    @APIResponseSchema(value = Erasure.class, responseDescription = "the erasure")
    @APIResponse(responseCode = "403", description = "a caller without the steward role")
    @APIResponse(responseCode = "404", description = "no erasure with this id")
    public Uni<RestResponse<Erasure>> erasure(@PathParam("erasureId") String erasureId) {
        return blocking(() -> {
            Erasure found = erasures.erasure(erasureId);
            if (found == null) {
                throw new NotFoundException("no erasure " + erasureId);
            }
            return found;
        }).map(ErasureResource::notStored);
    }

    private static <T> Uni<T> blocking(Supplier<T> work) {
        return Uni.createFrom().item(() -> {
            try {
                return work.get();
            } catch (InvalidFieldException e) {
                throw new InvalidRequestException(e.field(), e.reason());
            }
        }).runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
    }

    private static <T> RestResponse<T> notStored(T entity) {
        return RestResponse.ResponseBuilder.ok(entity).header("Cache-Control", "no-store").build();
    }
}
