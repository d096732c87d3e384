package io.memberpulse.churn.api.rest;

import io.memberpulse.churn.ChurnJob;
import io.memberpulse.churn.ChurnJobs;
import io.memberpulse.churn.domain.InvalidInputException;
import io.smallrye.common.annotation.Blocking;
import io.memberpulse.proto.auth.Roles;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.List;
import java.util.UUID;
import java.util.zip.GZIPInputStream;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Training and batch-scoring jobs: how each is going, its outcome, a batch's scores. Any replica answers. */
@RolesAllowed(Roles.ANALYST)
@Path("/jobs")
@Tag(name = "jobs", description = "Training and batch scoring started by POST /models/train and /models/batch-scores")
public class JobResource {
    private static final int MAX_LIST = 200;

    private final ChurnJobs jobs;

    public JobResource(ChurnJobs jobs) {
        this.jobs = jobs;
    }

    @GET
    @Blocking
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "The newest jobs first (at most limit, 1..200)")
    public List<ChurnJob> recent(@Parameter(schema = @Schema(type = SchemaType.INTEGER, minimum = "1",
            maximum = "" + MAX_LIST, defaultValue = "20")) @QueryParam("limit") @DefaultValue("20") String limit) {
        int count = QueryNumbers.wholeNumberWithin("limit", limit, 1, MAX_LIST);
        return jobs.recent(count);
    }

    @GET
    @Path("{id}")
    @Blocking
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "A job: queued, running (stage, done of total), succeeded (its result) or failed (its problem)")
    @APIResponse(responseCode = "404", description = "no job with this id")
    @APIResponse(responseCode = "200", description = "the job",
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = ChurnJob.class)))
    public Response job(@PathParam("id") String id) {
        UUID key = id(id);
        return jobs.find(key).map(job -> Response.ok(job)).orElseGet(() -> ProblemMapper.notFound("no job " + key)).build();
    }

    @GET
    @Path("{id}/scores")
    @Blocking
    @Produces({"text/csv", MediaType.APPLICATION_JSON})
    @Operation(summary = "A succeeded batch-score job's CSV member_id,member_no,churn_probability; 409 while it runs "
            + "or when it failed, 404 for another kind of job")
    @APIResponse(responseCode = "200", description = "member_id,member_no,churn_probability, sorted by member_id",
            content = @Content(mediaType = "text/csv", schema = @Schema(type = SchemaType.STRING)))
    @APIResponse(responseCode = "404", description = "no job with this id, or not a batch-score job")
    @APIResponse(responseCode = "409",
            description = "the job has not succeeded (yet): the detail says where it is or why it failed")
    public Response scores(@PathParam("id") String id) {
        UUID key = id(id);
        ChurnJob job = jobs.find(key).orElse(null);
        if (job == null) {
            return ProblemMapper.notFound("no job " + key).build();
        }
        if (!ChurnJob.BATCH_SCORE.equals(job.kind())) {
            return ProblemMapper.notFound("job " + key + " is a " + job.kind() + " job: it has no scores").build();
        }
        if (!ChurnJob.SUCCEEDED.equals(job.state())) {
            String detail = ChurnJob.FAILED.equals(job.state()) ? "job " + key + " failed: " + job.problem().detail()
                    : "job " + key + " is " + job.state() + (job.progress() == null ? "" : " ("
                            + job.progress().description() + ", " + job.progress().done() + " of "
                            + job.progress().total() + ")") + "; its scores are ready when it has succeeded";
            return ProblemMapper.conflict(detail).build();
        }
        byte[] gzip = jobs.scoresCsvGz(key).orElseThrow();
        StreamingOutput csv = output -> {
            try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(gzip), 1 << 16)) {
                in.transferTo(output);
            }
        };
        return Response.ok(csv, "text/csv; charset=UTF-8").header("X-Model-Kind", model(job)).build();
    }

    private static String model(ChurnJob job) {
        return job.result() == null ? null : new JsonObject(job.result()).getString("model");
    }

    private static UUID id(String text) {
        try {
            return UUID.fromString(text);
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException("id", "must be a job id (a UUID)");
        }
    }
}
