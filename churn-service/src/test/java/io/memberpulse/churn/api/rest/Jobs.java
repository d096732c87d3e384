package io.memberpulse.churn.api.rest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.restassured.path.json.JsonPath;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/** Starts a job as a client would, follows it at its Location until it ends, and keeps what it saw on the way. */
final class Jobs {
    private Jobs() {
    }

    /** What a job said while it ran, and how it ended. */
    record Followed(JsonPath end, List<String> stagesSeen) {
        String state() {
            return end.getString("state");
        }
    }

    /** POSTs path (expecting 202 and a Location) and polls the job until it has succeeded or failed. */
    static Followed run(String path) {
        ExtractableResponse<Response> accepted = given().post(path).then().statusCode(202)
                .contentType("application/json").extract();
        String location = accepted.header("Location");
        assertThat(location).isNotNull();
        String jobPath = URI.create(location).getPath();
        assertThat(jobPath).isEqualTo("/jobs/" + accepted.jsonPath().getString("id"));
        assertThat(accepted.jsonPath().getString("state")).isIn("queued", "running");
        List<String> stages = new ArrayList<>();
        AtomicReference<JsonPath> last = new AtomicReference<>();
        await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofMillis(100)).until(() -> {
            JsonPath job = given().get(jobPath).then().statusCode(200).extract().jsonPath();
            String stage = job.getString("progress.stage");
            if (stage != null && (stages.isEmpty() || !stages.get(stages.size() - 1).equals(stage))) {
                stages.add(stage);
            }
            last.set(job);
            return List.of("succeeded", "failed").contains(job.getString("state"));
        });
        return new Followed(last.get(), stages);
    }
}
