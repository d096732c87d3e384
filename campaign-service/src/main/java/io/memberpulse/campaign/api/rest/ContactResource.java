package io.memberpulse.campaign.api.rest;

import io.memberpulse.campaign.ContactRevealService;
import io.memberpulse.proto.auth.Roles;
import io.memberpulse.proto.checks.FieldChecks;
import io.memberpulse.proto.rest.ProblemResponses;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponseSchema;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.ResponseHeader;

/**
 * The full phone of an OPEN task's member, for staff of its store (the store_id claim of their token) or head office:
 * a POST, since each reveal is recorded. Never cached.
 */
@Path("/tasks/{taskId}/contact")
@Tag(name = "outcomes", description = "What staff recorded for a call")
@RolesAllowed({Roles.ANALYST, Roles.STAFF})
public class ContactResource {
    private final ContactRevealService reveals;
    private final SecurityIdentity caller;

    public ContactResource(ContactRevealService reveals, SecurityIdentity caller) {
        this.reveals = reveals;
        this.caller = caller;
    }

    /** @param phone as last reported on member.events; null when only a masked phone, or none, is known */
    public record ContactResponse(String taskId, String memberId, String phone) {
    }

    @POST
    @Produces(MediaType.APPLICATION_JSON)
    @ResponseHeader(name = "Cache-Control", value = "no-store")
    @Operation(summary = "Reveal the full phone of an open task's member, to dial it (recorded: task, member, caller, "
            + "time; the call list shows only the masked phone)")
    @APIResponseSchema(value = ContactResponse.class, responseDescription = "the member's phone, null when none is known")
    @APIResponse(responseCode = "403", description = "reveals are turned off in this deployment "
            + "(memberpulse.campaign.contact-reveal.enabled=false), for every caller and task (or a role that may not "
            + "reveal, without a body)", content = @Content(mediaType = ProblemResponses.PROBLEM_JSON,
                    schema = @Schema(ref = ProblemResponses.PROBLEM_SCHEMA)))
    @APIResponse(responseCode = "404", description = "no task with this id, or not of the staff token's store")
    @APIResponse(responseCode = "409", description = "the task is closed: its outcome was recorded, or it was cancelled")
    public Uni<ContactResponse> reveal(@PathParam("taskId") String taskId) {
        FieldChecks.checkId("task_id", taskId);
        return reveals.reveal(taskId, caller)
                .map(found -> new ContactResponse(found.taskId(), found.memberId(), found.phone()));
    }
}
