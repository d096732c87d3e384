package io.memberpulse.churn.api.rest;

import io.memberpulse.churn.ChurnJob;
import io.memberpulse.churn.ChurnJobs;
import io.memberpulse.churn.ModelQueryService;
import io.memberpulse.churn.ModelQueryService.ModelVersion;
import io.memberpulse.churn.TrainModelService;
import io.memberpulse.churn.domain.InvalidInputException;
import io.memberpulse.churn.domain.model.ModelReport;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Uni;
import io.memberpulse.proto.auth.Roles;
import io.memberpulse.proto.checks.FieldChecks;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

@RolesAllowed(Roles.ANALYST)
@Path("/models")
@Tag(name = "models", description = "Trained churn model versions, their reports and training on demand")
public class ModelResource {
    private final ModelQueryService queries;
    private final TrainModelService training;
    private final ChurnJobs jobs;

    public ModelResource(ModelQueryService queries, TrainModelService training, ChurnJobs jobs) {
        this.queries = queries;
        this.training = training;
        this.jobs = jobs;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Model versions, newest first, with their validation AUC and whether they score members")
    @APIResponse(responseCode = "200", description = "every version, newest first",
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(type = SchemaType.ARRAY, implementation = ModelVersion.class)))
    public Uni<Response> list() {
        return queries.list().map(list -> Response.ok(list).build());
    }

    @GET
    @Path("{version}/report")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "A version's report: every model and baseline on the validation window, importance, the BG/NBD"
            + " fit the version scores with (at asOf); trainingRows, trainingChurnRate and treatedExamples count every"
            + " training row, fittedRows the sample the version was fitted on (at most 100,000)")
    @APIResponse(responseCode = "200", description = "the report",
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = ModelReport.class)))
    @APIResponse(responseCode = "404", description = "no model version with this name")
    public Uni<Response> report(@PathParam("version") String version) {
        return queries.report(version).map(report -> report.map(json -> Response.ok(json, MediaType.APPLICATION_JSON))
                .orElseGet(() -> ProblemMapper.notFound("no model version " + version)).build());
    }

    @GET
    @Path("{version}/reliability.png")
    @Produces({"image/png", MediaType.APPLICATION_JSON})
    @Operation(summary = "A version's reliability diagram (predicted against observed churn)")
    @APIResponse(responseCode = "200", description = "the reliability diagram",
            content = @Content(mediaType = "image/png", schema = @Schema(type = SchemaType.STRING, format = "binary")))
    @APIResponse(responseCode = "404", description = "no model version with this name")
    public Uni<Response> reliability(@PathParam("version") String version) {
        return queries.reliabilityPng(version).map(png -> png.map(bytes -> Response.ok(bytes, "image/png"))
                .orElseGet(() -> ProblemMapper.notFound("no model version " + version)).build());
    }

    @POST
    @Path("train")
    @Blocking
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Queue training on the facts known at asOf (default: the event clock); 202 with the job "
            + "(follow it at Location, GET /jobs/{id}); the new version is promoted only if it beats the current model")
    @APIResponse(responseCode = "202", description = "queued; the job's outcome says the version and whether it was promoted",
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = ChurnJob.class)))
    public Response train(@QueryParam("asOf") String asOf,
            @Parameter(description = "churn = no purchase within this many days (default: memberpulse.churn.horizon-days)",
                    schema = @Schema(type = SchemaType.INTEGER, minimum = "1", maximum = "" + TrainModelService.MAX_HORIZON_DAYS))
            @QueryParam("horizon") String horizon) {
        return accepted(jobs.submitTraining(instant(asOf), horizon(horizon)));
    }

    @POST
    @Path("batch-scores")
    @Blocking
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Queue a batch evaluation: train only on facts before asOf (labels from cut-offs a horizon "
            + "earlier, nothing stored or promoted) and score every member who bought before asOf; 202 with the job. "
            + "Once it succeeded, GET /jobs/{id}/scores is the CSV member_id,member_no,churn_probability sorted by "
            + "member_id (member_no empty when unknown)")
    @APIResponse(responseCode = "202", description = "queued; follow the job at Location",
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = ChurnJob.class)))
    public Response batchScore(@QueryParam("asOf") String asOf,
            @Parameter(description = "churn = no purchase within this many days (default: memberpulse.churn.horizon-days)",
                    schema = @Schema(type = SchemaType.INTEGER, minimum = "1", maximum = "" + TrainModelService.MAX_HORIZON_DAYS))
            @QueryParam("horizon") String horizon) {
        Instant at = instant(asOf);
        if (at == null) {
            throw new InvalidInputException("asOf", "is required (a date such as 2011-09-10)");
        }
        return accepted(jobs.submitBatchScore(at, horizon(horizon)));
    }

    private static Response accepted(ChurnJob job) {
        return Response.accepted(job).location(URI.create("/jobs/" + job.id())).build();
    }

    private int horizon(String text) {
        return text == null || text.isBlank() ? training.defaultHorizon() : days(text);
    }

    private static int days(String text) {
        try {
            return Integer.parseInt(text.trim());
        } catch (NumberFormatException e) {
            throw new InvalidInputException("horizon", "must be a whole number of days");
        }
    }

    /**
     * A date is the start of that day on the chain's calendar, where CSV times without an offset are read and the
     * features count days: at midnight UTC (08:00 in Shanghai) the orders of the day's first eight hours were before it.
     */
    private Instant instant(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        Instant instant;
        try {
            instant = text.length() == 10 ? training.startOf(LocalDate.parse(text)) : Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw new InvalidInputException("asOf", "must be a date (2011-09-10) or an instant (2011-09-10T00:00:00Z)");
        }
        FieldChecks.checkInstant("asOf", instant); // a year -1 reached PostgreSQL (a 500); one in 20110 is a typo
        return instant;
    }
}
