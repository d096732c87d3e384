package io.memberpulse.churn.api.rest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.anyOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.not;

import io.memberpulse.churn.ChurnJob;
import io.memberpulse.churn.ChurnJobs;
import io.memberpulse.churn.store.JobRepository;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Following jobs: bad ids, unknown jobs, a job whose replica stopped, one that is still running. */
@QuarkusTest
class JobResourceTest {
    @Inject
    JobRepository jobs;

    @Inject
    ChurnJobs churnJobs;

    @Inject
    Pool pool;

    @Test
    void badAndUnknownJobIdsAreRefusedByName() {
        given().get("/jobs/not-a-uuid").then().statusCode(400).body("errors[0].field", equalTo("id"));
        given().get("/jobs/not-a-uuid/scores").then().statusCode(400).body("errors[0].field", equalTo("id"));
        UUID unknown = UUID.randomUUID();
        given().get("/jobs/" + unknown).then().statusCode(404).body("detail", containsString(unknown.toString()));
        given().get("/jobs/" + unknown + "/scores").then().statusCode(404);
        given().get("/jobs?limit=0").then().statusCode(400).body("errors[0].field", equalTo("limit"));
        given().get("/jobs?limit=201").then().statusCode(400).body("errors[0].field", equalTo("limit"));
        given().get("/jobs?limit=many").then().statusCode(400).body("errors[0].field", equalTo("limit"));
    }

    @Test
    void aJobWhoseReplicaStoppedBeatingIsReportedFailedAndOneThatBeatsIsNot() {
        Instant now = Instant.now();
        UUID lost = UUID.randomUUID();
        jobs.insert(lost, "batch-score", Instant.parse("2011-09-10T00:00:00Z"), 90, now.minus(Duration.ofMinutes(5)))
                .await().indefinitely();
        jobs.started(lost, 1, now.minus(Duration.ofMinutes(5))).await().indefinitely();
        jobs.progress(lost, 1, "validating-models", 3, 11).await().indefinitely();
        lastBeat(lost, Duration.ofMinutes(2));
        given().get("/jobs/" + lost).then().statusCode(200).body("state", equalTo("failed"))
                .body("problem.status", equalTo(503)).body("problem.detail", containsString("lost"))
                .body("progress.stage", equalTo("validating-models")).body("progress.done", equalTo(3))
                .body("progress.total", equalTo(11)).body("finishedAt", nullValue());
        given().get("/jobs/" + lost + "/scores").then().statusCode(409).body("detail", containsString("lost"));

        UUID running = UUID.randomUUID();
        jobs.insert(running, "batch-score", Instant.parse("2011-09-10T00:00:00Z"), 90, now).await().indefinitely();
        jobs.started(running, 1, now).await().indefinitely();
        jobs.progress(running, 1, "validation-snapshots", 2, 9).await().indefinitely();
        given().get("/jobs/" + running).then().statusCode(200).body("state", equalTo("running"))
                .body("problem", nullValue()).body("progress.description", containsString("validation cut-offs"));
        given().get("/jobs/" + running + "/scores").then().statusCode(409)
                .body("detail", containsString("is running (building features at the validation cut-offs, 2 of 9)"));
        given().get("/jobs?limit=200").then().statusCode(200).body("id", hasItem(running.toString()))
                .body("id", hasItem(lost.toString()));
        jobs.failed(running, 1, 500, "test over", Instant.now()).await().indefinitely();
    }
    /** Every replica's scheduler fires at the same cron instant: the first to record it runs the retraining. */
    @Test
    void aScheduledRetrainingInstantIsTakenByOneReplicaOnly() {
        Instant fired = Instant.parse("2030-01-02T03:30:00Z");
        UUID first = UUID.randomUUID();
        UUID second = UUID.randomUUID();
        Instant now = Instant.now();
        try {
            assertThat(jobs.insertScheduled(first, "training", 90, fired, now).await().indefinitely()).isTrue();
            assertThat(jobs.insertScheduled(second, "training", 90, fired, now).await().indefinitely())
                    .as("the same instant, from another replica").isFalse();
            given().get("/jobs/" + first).then().statusCode(200).body("kind", equalTo("training"))
                    .body("state", equalTo("queued")).body("scheduledFor", equalTo("2030-01-02T03:30:00Z"));
            given().get("/jobs/" + second).then().statusCode(404);
            UUID nextNight = UUID.randomUUID();
            assertThat(jobs.insertScheduled(nextNight, "training", 90, fired.plus(Duration.ofDays(1)), now)
                    .await().indefinitely()).isTrue();
            jobs.failed(nextNight, 1, 500, "test over", Instant.now()).await().indefinitely();
            UUID asked = UUID.randomUUID();
            jobs.insert(asked, "training", null, 90, now).await().indefinitely();
            given().get("/jobs/" + asked).then().statusCode(200).body("$", not(hasKey("scheduledFor")));
            jobs.failed(asked, 1, 500, "test over", Instant.now()).await().indefinitely();
        } finally {
            jobs.failed(first, 1, 500, "test over", Instant.now()).await().indefinitely();
        }
    }

    /** A scheduled retraining whose replica stopped is run again by another replica, once. */
    @Test
    void aScheduledRetrainingWhoseReplicaStoppedIsRunAgainByAnother() {
        Instant now = Instant.now();
        UUID lost = UUID.randomUUID();
        Instant fired = now.minus(Duration.ofMinutes(10)).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        assertThat(jobs.insertScheduled(lost, "training", 90, fired, fired).await().indefinitely()).isTrue();
        jobs.started(lost, 1, fired).await().indefinitely();
        lastBeat(lost, Duration.ofMinutes(10));
        given().get("/jobs/" + lost).then().statusCode(200).body("problem.detail", containsString("lost"));

        assertThat(churnJobs.resumeLost(now)).map(ChurnJob::id).contains(lost);
        assertThat(churnJobs.resumeLost(now)).as("claimed by one replica only").isEmpty();
        // It runs to its end here: trained, or refused for too little data, but no longer lost.
        org.awaitility.Awaitility.await().atMost(Duration.ofMinutes(3)).until(() -> jobs.find(lost).await().indefinitely()
                .orElseThrow().finishedAt() != null);
        given().get("/jobs/" + lost).then().statusCode(200)
                .body("problem.detail", anyOf(nullValue(), not(containsString("lost"))));
    }

    /** The job's last beat that long ago, by the database's clock (the one its age is measured by). */
    private void lastBeat(UUID job, Duration ago) {
        pool.preparedQuery("UPDATE churn_job SET heartbeat_at = clock_timestamp() - make_interval(secs => $2) WHERE id = $1")
                .execute(Tuple.of(job, (double) ago.toSeconds())).await().indefinitely();
    }
}
