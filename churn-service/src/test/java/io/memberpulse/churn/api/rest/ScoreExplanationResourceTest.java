package io.memberpulse.churn.api.rest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.memberpulse.churn.ModelRegistry;
import io.memberpulse.churn.domain.RhythmChurnModel;
import io.memberpulse.churn.domain.features.Feature;
import io.memberpulse.churn.store.ModelRepository;
import io.memberpulse.devstack.testing.AuthTestResource;
import io.memberpulse.proto.auth.Roles;
import io.memberpulse.proto.churn.v1.ChurnServiceGrpc;
import io.memberpulse.proto.churn.v1.ExplainScoreRequest;
import io.memberpulse.proto.churn.v1.FeatureContribution;
import io.memberpulse.proto.churn.v1.ScoreExplanation;
import io.memberpulse.proto.identity.v1.MemberEvent;
import io.memberpulse.proto.kafka.MemberEventDeserializer;
import io.memberpulse.proto.kafka.ProtobufSerdes;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** GET /members/{id}/score/explanation: a trained model's per-member reasons, under GetScore's access rule. */
@QuarkusTest
class ScoreExplanationResourceTest {
    private static final Set<String> FEATURE_KEYS = Arrays.stream(Feature.values()).map(Feature::key)
            .collect(Collectors.toSet());

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    @Inject
    ModelRepository models;

    @Inject
    ModelRegistry registry;

    /** Back to the rhythm baseline, as ModelResourceTest leaves it: other tests expect the baseline's scores. */
    @AfterEach
    void takeTheTrainedModelOutOfService() {
        models.demoteAll().await().indefinitely();
        registry.reload();
    }

    @Test
    void aTrainedModelsScoreIsExplainedByItsLargestContributions() {
        String run = "ex-" + UUID.randomUUID().toString().substring(0, 8);
        List<ProducerRecord<String, MemberEvent>> records = ModelResourceTest.members(run);
        try (KafkaCompanion kafka = new KafkaCompanion(bootstrapServers)) {
            kafka.registerSerde(MemberEvent.class, ProtobufSerdes.of(new MemberEventDeserializer()));
            kafka.produce(String.class, MemberEvent.class).fromRecords(records).awaitCompletion(Duration.ofSeconds(60));
        }
        String member = run + "-m1";
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().get("/members/" + member + "/score")
                .then().statusCode(200));
        Jobs.Followed job = Jobs.run("/models/train?asOf=2029-06-01");
        assertThat(job.state()).isEqualTo("succeeded");
        // promoted, or another test's version kept: either way a trained model scores the member
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(given().get("/members/" + member + "/score")
                .then().statusCode(200).extract().jsonPath().getString("modelVersion"))
                .isNotEqualTo(RhythmChurnModel.VERSION));
        JsonPath score = given().get("/members/" + member + "/score").then().statusCode(200).extract().jsonPath();

        JsonPath explained = given().get("/members/" + member + "/score/explanation").then().statusCode(200)
                .extract().jsonPath();
        assertThat(explained.getString("memberId")).isEqualTo(member);
        assertThat(explained.getString("modelVersion")).isEqualTo(score.getString("modelVersion"));
        assertThat(explained.getString("asOf")).isEqualTo(score.getString("asOf"));
        assertThat(explained.getDouble("probability")).isEqualTo(score.getDouble("probability"));
        List<Map<String, Object>> top = explained.getList("features");
        assertThat(top).hasSize(5);
        assertThat(top).allSatisfy(f -> {
            assertThat(FEATURE_KEYS).contains((String) f.get("feature"));
            assertThat((String) f.get("label")).isNotBlank();
        });
        List<Double> magnitudes = top.stream().map(f -> Math.abs(((Number) f.get("contribution")).doubleValue())).toList();
        assertThat(magnitudes).isSortedAccordingTo((a, b) -> Double.compare(b, a));
        // base + the k shown + the rest = the log-odds the explained probability is the sigmoid of
        double logOdds = explained.getDouble("baseLogOdds") + explained.getDouble("otherLogOdds")
                + top.stream().mapToDouble(f -> ((Number) f.get("contribution")).doubleValue()).sum();
        double explainedProbability = explained.getDouble("explainedProbability");
        assertThat(1 / (1 + Math.exp(-logOdds))).isCloseTo(explainedProbability, within(1e-6));
        double probability = score.getDouble("probability");
        // the vector rebuilt from the member's facts as of the score's as-of is the one scoring stored
        assertThat(explained.getDouble("recomputedProbability")).isCloseTo(probability, within(1e-6));
        if (explained.getBoolean("exact")) {
            assertThat(explainedProbability).isCloseTo(probability, within(1e-5));
        } else { // a blend: the mean of its parts' log-odds against the mean of their probabilities
            assertThat(explained.getString("modelKind")).isEqualTo("blend");
            assertThat(explainedProbability).isCloseTo(probability, within(0.1));
        }

        assertThat(given().queryParam("k", 20).get("/members/" + member + "/score/explanation").then().statusCode(200)
                .extract().jsonPath().getList("features")).hasSize(20);
        assertThat(given().queryParam("k", 1).get("/members/" + member + "/score/explanation").then().statusCode(200)
                .extract().jsonPath().getList("features")).hasSize(1);
        for (String k : List.of("0", "21", "five", "2.5")) {
            given().queryParam("k", k).get("/members/" + member + "/score/explanation").then().statusCode(400)
                    .body("errors[0].field", equalTo("k"));
        }
        given().get("/members/" + run + "-nobody/score/explanation").then().statusCode(404);

        // GetScore's rule: staff of the member's home store read it as the analyst does, other staff as an unknown member
        String home = score.getString("homeStoreId");
        assertThat(home).isNotBlank();
        String analysts = given().get("/members/" + member + "/score/explanation").then().statusCode(200).extract().asString();
        assertThat(given().header("Authorization", "Bearer " + AuthTestResource.staff(home))
                .get("/members/" + member + "/score/explanation").then().statusCode(200).extract().asString())
                .isEqualTo(analysts);
        ScoreResourceTest.answeredAsAnUnknownMember(AuthTestResource.staff("other-" + home), member, "/score/explanation");
        ScoreResourceTest.answeredAsAnUnknownMember(AuthTestResource.withRoles(Roles.STAFF), member, "/score/explanation");
        given().header("Authorization", "").get("/members/" + member + "/score/explanation").then().statusCode(401);
        given().header("Authorization", "Bearer " + AuthTestResource.withRoles(Roles.INGEST))
                .get("/members/" + member + "/score/explanation").then().statusCode(403);

        overGrpc(member, home, explained);
    }

    /** ExplainScore answers what REST does, under GetScore's rule and codes. */
    private void overGrpc(String member, String home, JsonPath rest) {
        ManagedChannel channel = ManagedChannelBuilder.forAddress("localhost", RestAssured.port).usePlaintext().build();
        try {
            var anonymous = ChurnServiceGrpc.newBlockingStub(channel);
            var analyst = anonymous.withInterceptors(AuthTestResource.as(AuthTestResource.analyst()));
            ScoreExplanation explained = analyst.explainScore(ExplainScoreRequest.newBuilder().setMemberId(member).build());
            assertThat(explained.getModelVersion()).isEqualTo(rest.getString("modelVersion"));
            // RestAssured's JsonPath reads numbers as floats
            assertThat(explained.getProbability()).isCloseTo(rest.getDouble("probability"), within(1e-6));
            assertThat(explained.getRecomputedProbability()).isCloseTo(explained.getProbability(), within(1e-6));
            assertThat(explained.getFeaturesList()).extracting(FeatureContribution::getFeature)
                    .containsExactlyElementsOf(rest.getList("features.feature", String.class));
            assertThat(explained.getBaseLogOdds()).isCloseTo(rest.getDouble("baseLogOdds"), within(1e-6));
            assertThat(analyst.explainScore(ExplainScoreRequest.newBuilder().setMemberId(member).setK(20).build())
                    .getFeaturesCount()).isEqualTo(20);
            for (int k : new int[] {0, 21}) {
                assertCode(() -> analyst.explainScore(ExplainScoreRequest.newBuilder().setMemberId(member).setK(k).build()),
                        Status.Code.INVALID_ARGUMENT, "k: ");
            }
            assertCode(() -> analyst.explainScore(ExplainScoreRequest.getDefaultInstance()), Status.Code.INVALID_ARGUMENT,
                    "member_id: ");
            assertCode(() -> analyst.explainScore(ExplainScoreRequest.newBuilder().setMemberId(member + "-nobody").build()),
                    Status.Code.NOT_FOUND, "no score");
            var ownStaff = anonymous.withInterceptors(AuthTestResource.as(AuthTestResource.staff(home)));
            assertThat(ownStaff.explainScore(ExplainScoreRequest.newBuilder().setMemberId(member).build()))
                    .isEqualTo(analyst.explainScore(ExplainScoreRequest.newBuilder().setMemberId(member).build()));
            String unknown = ScoreResourceTest.notFoundDescription(() -> analyst.explainScore(
                    ExplainScoreRequest.newBuilder().setMemberId(member + "-nobody").build()));
            var otherStaff = anonymous.withInterceptors(AuthTestResource.as(AuthTestResource.staff("other-" + home)));
            assertThat(ScoreResourceTest.notFoundDescription(() -> otherStaff.explainScore(
                    ExplainScoreRequest.newBuilder().setMemberId(member).build())))
                    .isEqualTo(unknown.replace(member + "-nobody", member));
            assertCode(() -> anonymous.explainScore(ExplainScoreRequest.newBuilder().setMemberId(member).build()),
                    Status.Code.UNAUTHENTICATED, "");
        } finally {
            channel.shutdownNow();
        }
    }

    private static void assertCode(Runnable call, Status.Code code, String description) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).isEqualTo(code);
            if (!description.isEmpty()) {
                assertThat(e.getStatus().getDescription()).contains(description);
            }
        });
    }

}
