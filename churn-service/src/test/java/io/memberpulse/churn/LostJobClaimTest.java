package io.memberpulse.churn;

import static org.assertj.core.api.Assertions.assertThat;

import io.memberpulse.churn.store.JobRepository;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Which scheduled retraining another replica claims as lost: only one whose heartbeats stopped reaching the database,
 * whatever the clocks of the pods say (a claimed job that is still running runs twice at once: memory, two promotions).
 */
@QuarkusTest
class LostJobClaimTest {
    @Inject
    JobRepository jobs;

    @Inject
    ChurnJobs churnJobs;

    @Inject
    Pool pool;

    @Test
    void aRetrainingWhoseReplicasClockIsBehindIsNotClaimedWhileItBeats() {
        Instant now = Instant.now();
        Instant holderNow = now.minus(Duration.ofSeconds(90));
        UUID beating = UUID.randomUUID();
        Instant fired = now.minus(Duration.ofMinutes(2)).truncatedTo(ChronoUnit.MILLIS);
        assertThat(jobs.insertScheduled(beating, ChurnJob.TRAINING, 90, fired, holderNow).await().indefinitely()).isTrue();
        try {
            // the holder's clock names when it started; its beats are stamped by the database
            jobs.started(beating, 1, holderNow).await().indefinitely();
            assertThat(jobs.heartbeat(Map.of(beating, 1)).await().indefinitely()).containsExactly(beating);

            assertThat(churnJobs.resumeLost(now).map(ChurnJob::id)).as("claimed by a replica whose clock is ahead")
                    .isNotEqualTo(java.util.Optional.of(beating));
            assertThat(jobs.find(beating).await().indefinitely().orElseThrow().state()).isEqualTo("running");
            assertThat(churnJobs.find(beating).orElseThrow().state()).as("not reported lost either")
                    .isEqualTo("running");
        } finally {
            jobs.failed(beating, 1, 500, "test over", Instant.now()).await().indefinitely();
        }
    }

    /**
     * The replica that held it may only have been cut off from the database for a while: once the job is claimed, its
     * beats, progress and end change it no more (its run stops at the next report, see ChurnJobs).
     */
    @Test
    void aRetrainingWhoseBeatsStoppedIsClaimedAndItsFormerHolderWritesItNoMore() {
        Instant now = Instant.now();
        UUID stopped = UUID.randomUUID();
        // fired longer ago than this service's own scheduler looks (ChurnJobs.RESUMED_WITHIN): only this test claims it
        Instant fired = now.minus(ChurnJobs.RESUMED_WITHIN).minus(Duration.ofHours(1)).truncatedTo(ChronoUnit.MILLIS);
        Instant claimerNow = fired.plus(Duration.ofMinutes(1));
        assertThat(jobs.insertScheduled(stopped, ChurnJob.TRAINING, 90, fired, now).await().indefinitely()).isTrue();
        try {
            jobs.started(stopped, 1, now).await().indefinitely();
            ageHeartbeat(stopped, ChurnJobs.LOST_AFTER.plusSeconds(1));

            assertThat(jobs.claimLostScheduled(ChurnJobs.LOST_AFTER, claimerNow.minus(ChurnJobs.RESUMED_WITHIN),
                    claimerNow, ChurnJobs.MAX_ATTEMPTS).await().indefinitely()).map(JobRepository.ClaimedJob::id)
                    .contains(stopped);
            assertThat(churnJobs.find(stopped).orElseThrow().state()).as("queued again, with a fresh heartbeat")
                    .isEqualTo("queued");

            assertThat(jobs.heartbeat(Map.of(stopped, 1)).await().indefinitely()).as("the former holder's beat").isEmpty();
            assertThat(jobs.progress(stopped, 1, "storing", 0, 1).await().indefinitely()).isFalse();
            assertThat(jobs.succeeded(stopped, 1, "{}", null, Instant.now()).await().indefinitely()).isFalse();
            assertThat(jobs.failed(stopped, 1, 500, "former holder", Instant.now()).await().indefinitely()).isFalse();
            JobRepository.StoredJob stored = jobs.find(stopped).await().indefinitely().orElseThrow();
            assertThat(stored.state()).isEqualTo("queued");
            assertThat(stored.stage()).isNull();
            assertThat(jobs.heartbeat(Map.of(stopped, 2)).await().indefinitely()).as("the claimer's beat")
                    .containsExactly(stopped);
        } finally {
            jobs.failed(stopped, 2, 500, "test over", Instant.now()).await().indefinitely();
        }
    }

    /** The job's last beat that long ago, by the database's clock. */
    private void ageHeartbeat(UUID job, Duration ago) {
        pool.preparedQuery("UPDATE churn_job SET heartbeat_at = clock_timestamp() - make_interval(secs => $2) WHERE id = $1")
                .execute(Tuple.of(job, (double) ago.toSeconds())).await().indefinitely();
    }
}
