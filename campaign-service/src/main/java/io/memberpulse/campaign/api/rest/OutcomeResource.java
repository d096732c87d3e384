package io.memberpulse.campaign.api.rest;

import io.memberpulse.campaign.RecordOutcomeService;
import io.memberpulse.campaign.domain.InvalidArgumentException;
import io.memberpulse.campaign.domain.Outcome;
import io.memberpulse.campaign.domain.OutcomeResult;
import io.memberpulse.proto.auth.Callers;
import io.memberpulse.proto.auth.Roles;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponseSchema;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Store staff record outcomes of their own store's tasks (the store_id claim of their token); head office any. */
@Path("/tasks/{taskId}/outcome")
@Tag(name = "outcomes", description = "What staff recorded for a call")
@RolesAllowed({Roles.ANALYST, Roles.STAFF})
public class OutcomeResource {
    private final RecordOutcomeService outcomes;
    private final SecurityIdentity caller;

    public OutcomeResource(RecordOutcomeService outcomes, SecurityIdentity caller) {
        this.outcomes = outcomes;
        this.caller = caller;
    }

    /** version: the task version the caller saw (from the call list). */
    public record OutcomeRequest(@Schema(required = true) Boolean reached, @Schema(required = true) String result,
            String note, String followUpDate, @Schema(required = true) Long version) {
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Record a call's outcome (409 when the task changed since that version; a repeated submit is "
            + "harmless; store staff: another store's task is a 404)")
    @APIResponseSchema(value = OutcomeResponse.class, responseDescription = "the task closed with this outcome (repeated: it already was)")
    @APIResponse(responseCode = "404", description = "no task with this id, or not of the staff token's store")
    @APIResponse(responseCode = "409", description = "the task changed since this version, has another outcome or was cancelled")
    public Uni<OutcomeResponse> record(@PathParam("taskId") String taskId, OutcomeRequest request) {
        if (request == null) {
            throw new InvalidArgumentException("body", "is required");
        }
        if (request.reached() == null) {
            throw new InvalidArgumentException("reached", "is required");
        }
        if (request.version() == null) {
            throw new InvalidArgumentException("version", "is required: the task version from the call list");
        }
        Outcome outcome = new Outcome(request.reached(), OutcomeResult.parse(request.result()), request.note(),
                date(request.followUpDate()));
        return outcomes.record(taskId, outcome, request.version(), Callers.boundStore(caller).orElse(null))
                .map(OutcomeResponse::of);
    }

    static LocalDate date(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return LocalDate.parse(text.strip());
        } catch (DateTimeParseException e) {
            throw new InvalidArgumentException("follow_up_date", "not an ISO-8601 date: '" + text + "'");
        }
    }
}
