package io.memberpulse.campaign.api.rest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.memberpulse.campaign.WithKafkaCompanion;
import io.memberpulse.campaign.testdata.Campaigns;
import io.memberpulse.campaign.testdata.ChurnEvents;
import io.memberpulse.devstack.testing.AuthTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The outcome row is the outbox: staff get their answer once it is committed and the call list forgets the task, not
 * once Kafka acknowledged it. Here intervention.outcomes goes to an address where no broker listens (the scores still
 * arrive from the real one), so a send waits for metadata for max.block.ms, two minutes, as with the broker down.
 */
@QuarkusTest
@TestProfile(OutcomeWithoutBrokerTest.OutcomesBrokerDown.class)
class OutcomeWithoutBrokerTest extends WithKafkaCompanion {
    public static class OutcomesBrokerDown implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "mp.messaging.outgoing.intervention-outcomes.bootstrap.servers", "127.0.0.1:1",
                    "mp.messaging.outgoing.intervention-outcomes.max.block.ms", "120000");
        }
    }

    @Inject
    Pool database;

    @Test
    void anOutcomeIsAnsweredAndLeavesTheCallListWhileItCannotBePublished() {
        String run = ChurnEvents.run();
        String store = "s-" + run;
        // Awaited longer: this profile starts its own application and broker, whose consumers may take a while to join.
        JsonPath list = Campaigns.storeWithFirstCall(kafka, store, run, Duration.ofSeconds(120));
        String taskId = list.getString("tasks[0].taskId");
        long version = list.getLong("tasks[0].version");

        // Far below the two minutes a publish waits for the missing broker.
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> given().contentType(ContentType.JSON)
                .header("Authorization", "Bearer " + AuthTestResource.staff(store))
                .body(OutcomeResourceTest.body(true, "will_return", "", version))
                .post("/tasks/{id}/outcome", taskId)
                .then().statusCode(200).body("status", equalTo("DONE")).body("repeated", equalTo(false)));

        given().get("/stores/{s}/call-list", store).then().statusCode(200).body("tasks.taskId", not(hasItem(taskId)));
        var row = database.preparedQuery("SELECT published_at FROM task_outcome WHERE task_id = $1")
                .execute(Tuple.of(taskId)).await().indefinitely().iterator().next();
        assertThat(row.getValue(0)).as("left for the relay").isNull();
    }
}
