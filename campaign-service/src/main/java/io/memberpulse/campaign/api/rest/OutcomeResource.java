package io.memberpulse.campaign.api.rest;

import io.memberpulse.campaign.RecordOutcomeService;
import io.memberpulse.campaign.domain.InvalidArgumentException;
import io.memberpulse.campaign.domain.Outcome;
import io.memberpulse.campaign.domain.OutcomeResult;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

@Path("/tasks/{taskId}/outcome")
@Tag(name = "outcomes", description = "What staff recorded for a call")
public class OutcomeResource {
    /** The staff member's store; until roles arrive, staff apps send it and tasks of other stores stay invisible. */
    static final String STORE_HEADER = "X-Store-Id";

    private final RecordOutcomeService outcomes;

    public OutcomeResource(RecordOutcomeService outcomes) {
        this.outcomes = outcomes;
    }

    /** version: the task version the caller saw (from the call list). */
    public record OutcomeRequest(Boolean reached, String result, String note, String followUpDate, Long version) {
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Record a call's outcome (409 when the task changed since that version; a repeated submit is harmless)")
    public Uni<OutcomeResponse> record(@PathParam("taskId") String taskId, @HeaderParam(STORE_HEADER) String storeId,
            OutcomeRequest request) {
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
        return outcomes.record(taskId, outcome, request.version(), storeId).map(OutcomeResponse::of);
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
