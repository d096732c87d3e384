package io.memberpulse.churn.api.rest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.hasItem;

import io.memberpulse.devstack.testing.AuthTestResource;
import io.memberpulse.devstack.testing.HeadlessChromium;
import com.google.protobuf.Timestamp;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.memberpulse.churn.ModelRegistry;
import io.memberpulse.churn.domain.features.Activity;
import io.memberpulse.churn.store.ModelInputRepository;
import io.memberpulse.churn.store.StreamClockRepository;
import io.memberpulse.proto.campaign.v1.InterventionOutcome;
import io.memberpulse.proto.campaign.v1.OutcomeResult;
import io.memberpulse.proto.churn.v1.ChurnServiceGrpc;
import io.memberpulse.proto.churn.v1.GetModelReportRequest;
import io.memberpulse.proto.churn.v1.ListModelsRequest;
import io.memberpulse.proto.churn.v1.ModelReportResponse;
import io.memberpulse.proto.churn.v1.ModelSummary;
import io.restassured.RestAssured;
import io.memberpulse.churn.store.ModelRepository;
import io.memberpulse.proto.identity.v1.ChannelEvent;
import io.memberpulse.proto.identity.v1.EventType;
import io.memberpulse.proto.identity.v1.Identifiers;
import io.memberpulse.proto.identity.v1.MemberEvent;
import io.memberpulse.proto.identity.v1.OrderLine;
import io.memberpulse.proto.identity.v1.Source;
import io.memberpulse.proto.kafka.MemberEventDeserializer;
import io.memberpulse.proto.kafka.ProtobufSerdes;
import io.memberpulse.proto.kafka.Topics;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import jakarta.inject.Inject;
import java.io.ByteArrayInputStream;
import java.awt.image.BufferedImage;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

@QuarkusTest
class ModelResourceTest {
    /** Facts known up to here; the synthetic members buy during the 420 days before it. */
    static final Instant AS_OF = Instant.parse("2029-06-01T00:00:00Z");
    static final int MEMBERS = 400;
    static final String WHAT_IF = "/roi/what-if?members=10000&topShare=0.2&touchCost=0.25&couponCost=2"
            + "&netValuePerWonBack=60&winBackPerChurner=0.08";

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    @Inject
    ModelRepository models;

    @Inject
    ModelRegistry registry;

    @Inject
    ModelInputRepository inputs;

    @Inject
    StreamClockRepository streamClock;

    /** Buyers at Poisson rates who drop out at random moments (BG/NBD-like), some with a member number. */
    static List<ProducerRecord<String, MemberEvent>> members(String run) {
        Random random = new Random(8);
        List<ProducerRecord<String, MemberEvent>> records = new ArrayList<>();
        for (int m = 0; m < MEMBERS; m++) {
            String member = run + "-m" + m;
            double meanGap = new double[] {7, 14, 30, 60}[random.nextInt(4)];
            double day = random.nextDouble() * 200;
            double death = day + random.nextDouble() * 500;
            int order = 0;
            while (day < 420 && day < death) {
                Instant at = AS_OF.minus(Duration.ofMinutes(Math.round((420 - day) * 1440)));
                MemberEvent event = MemberEvent.newBuilder().setMemberId(member).setEvent(ChannelEvent.newBuilder()
                        .setEventId(member + "-" + order).setSource(Source.SOURCE_ECOMMERCE).setType(EventType.EVENT_TYPE_ORDER)
                        .setOccurredAt(Timestamp.newBuilder().setSeconds(at.getEpochSecond())).setStoreId("web-" + (m % 3))
                        .setIdentifiers(Identifiers.newBuilder().setMemberNo(m % 2 == 0 ? "no-" + m : ""))
                        .setLine(OrderLine.newBuilder().setOrderId(member + "-o" + order).setSku("sku-" + random.nextInt(30))
                                .setQuantity(1 + random.nextInt(4)).setPaidAmount(10 + random.nextInt(40)))).build();
                records.add(new ProducerRecord<>(Topics.MEMBER_EVENTS, member, event));
                order++;
                day += -meanGap * Math.log(1 - random.nextDouble());
            }
        }
        // a last order at AS_OF, so that the event clock reaches the instant the test trains at
        records.add(new ProducerRecord<>(Topics.MEMBER_EVENTS, run + "-clock", MemberEvent.newBuilder()
                .setMemberId(run + "-clock").setEvent(ChannelEvent.newBuilder().setEventId(run + "-clock")
                        .setSource(Source.SOURCE_ECOMMERCE).setType(EventType.EVENT_TYPE_ORDER)
                        .setOccurredAt(Timestamp.newBuilder().setSeconds(AS_OF.getEpochSecond())).setStoreId("web-0")
                        .setLine(OrderLine.newBuilder().setOrderId(run + "-clock").setQuantity(1).setPaidAmount(10)))
                .build()));
        return records;
    }

    void modelsOverGrpc(String version, String kind) {
        ManagedChannel channel = ManagedChannelBuilder.forAddress("localhost", RestAssured.port).usePlaintext()
                .intercept(AuthTestResource.as(AuthTestResource.analyst())).build();
        try {
            var stub = ChurnServiceGrpc.newBlockingStub(channel);
            ModelSummary listed = stub.listModels(ListModelsRequest.getDefaultInstance()).getModelsList().stream()
                    .filter(m -> m.getVersion().equals(version)).findFirst().orElseThrow();
            assertThat(listed.getPromoted()).isTrue();
            assertThat(listed.getKind()).isEqualTo(kind);
            assertThat(listed.getValidationAuc()).isGreaterThan(0.6);
            ModelReportResponse report = stub.getModelReport(GetModelReportRequest.newBuilder().setVersion(version).build());
            assertThat(report.getSummary()).isEqualTo(listed);
            assertThat(JsonPath.from(report.getReportJson()).getString("version")).isEqualTo(version);
            assertThatThrownBy(() -> stub.getModelReport(GetModelReportRequest.newBuilder().setVersion("nope").build()))
                    .isInstanceOfSatisfying(StatusRuntimeException.class,
                            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND));
            assertThatThrownBy(() -> stub.getModelReport(GetModelReportRequest.getDefaultInstance()))
                    .isInstanceOfSatisfying(StatusRuntimeException.class,
                            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT));
        } finally {
            channel.shutdownNow();
        }
    }

    /** A year -1 reached PostgreSQL (a 500, or a job failing later); a year 20110 is a typo, not a model. */
    @Test
    void anAsOfOutsideTheYears1900To9999IsRefusedNamingIt() {
        for (String asOf : List.of("-0001-01-01T00:00:00Z", "+20110-09-10T00:00:00Z", "1899-12-31T23:59:59Z")) {
            given().queryParam("asOf", asOf).post("/models/train").then().statusCode(400)
                    .body("errors[0].field", equalTo("asOf")).body("errors[0].reason", containsString(" is outside 1900"));
            given().queryParam("asOf", asOf).queryParam("horizon", 90).post("/models/batch-scores").then().statusCode(400)
                    .body("errors[0].field", equalTo("asOf")).body("errors[0].reason", containsString(" is outside 1900"));
        }
    }

    /** A date is the start of that day on the chain's calendar (Asia/Shanghai), as batch evaluation reads it too. */
    @Test
    void aDateToTrainAtIsMidnightOnTheChainsCalendar() {
        Jobs.Followed job = Jobs.run("/models/train?asOf=2001-01-01");
        assertThat(job.end().getString("asOf")).isEqualTo("2000-12-31T16:00:00Z");
    }

    @Test
    void modelsAreTrainedOnDemandReportedAndPromotedToScoreMembers() throws Exception {
        assertTooLittleData(Jobs.run("/models/train?asOf=2001-01-01"));
        given().post("/models/train?asOf=yesterday").then().statusCode(400).body("errors[0].field", equalTo("asOf"));
        given().post("/models/train?asOf=2029-06-01&horizon=soon").then().statusCode(400)
                .body("errors[0].field", equalTo("horizon"));
        given().get("/models/nope/report").then().statusCode(404);

        String run = "mr-" + UUID.randomUUID().toString().substring(0, 8);
        List<ProducerRecord<String, MemberEvent>> records = members(run);
        try (KafkaCompanion kafka = new KafkaCompanion(bootstrapServers)) {
            kafka.registerSerde(MemberEvent.class, ProtobufSerdes.of(new MemberEventDeserializer()));
            kafka.produce(String.class, MemberEvent.class).fromRecords(records).awaitCompletion(Duration.ofSeconds(60));
        }
        String last = records.get(records.size() - 1).key();
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().get("/members/" + last + "/score")
                .then().statusCode(200));
        // staff reached 40 members 100 days before AS_OF: inside the horizon of several training cut-offs
        List<ProducerRecord<String, byte[]>> outcomes = new ArrayList<>();
        for (int m = 0; m < 40; m++) {
            InterventionOutcome outcome = InterventionOutcome.newBuilder().setTaskId(run + "-task" + m)
                    .setMemberId(run + "-m" + m).setReached(true).setResult(OutcomeResult.OUTCOME_RESULT_WILL_RETURN)
                    .setRecordedAt(Timestamp.newBuilder().setSeconds(AS_OF.minus(Duration.ofDays(100)).getEpochSecond()))
                    .build();
            outcomes.add(new ProducerRecord<>(Topics.INTERVENTION_OUTCOMES, outcome.getMemberId(), outcome.toByteArray()));
        }
        try (KafkaCompanion kafka = new KafkaCompanion(bootstrapServers)) {
            kafka.produce(String.class, byte[].class).fromRecords(outcomes).awaitCompletion(Duration.ofSeconds(60));
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> inputs.activitiesOf(List.of(run + "-m39")).await().indefinitely()
                .getOrDefault(run + "-m39", List.of()).stream().anyMatch(Activity::isTreatment));

        try {
            Jobs.Followed job = Jobs.run("/models/train?asOf=2029-06-01");
            assertThat(job.state()).isEqualTo("succeeded");
            assertThat(job.end().getString("kind")).isEqualTo("training");
            assertThat(job.end().getString("progress.stage")).isEqualTo("storing");
            // polled every few hundred ms: a quick stage (loading the facts) may pass between two polls
            List<String> stages = List.of("awaiting-facts", "loading-facts", "validation-snapshots", "validating-models",
                    "training-snapshots", "refitting", "storing");
            assertThat(job.stagesSeen()).isSubsetOf(stages).endsWith("storing").hasSizeGreaterThan(2)
                    .isSortedAccordingTo(java.util.Comparator.comparingInt(stages::indexOf));
            JsonPath trained = JsonPath.from(job.end().prettify()).setRootPath("result");
            assertThat(trained.getBoolean("promoted")).isTrue();
            String version = trained.getString("version");
            assertThat(trained.getDouble("validation.auc")).isGreaterThan(0.6);
            given().get("/jobs/" + job.end().getString("id") + "/scores").then().statusCode(404)
                    .body("detail", containsString("training job"));
            given().get("/jobs?limit=200").then().statusCode(200).body("id", hasItem(job.end().getString("id")));

            given().get("/models").then().statusCode(200).body("version", hasItem(version));
            JsonPath report = given().get("/models/" + version + "/report").then().statusCode(200).extract().jsonPath();
            assertThat(report.getMap("validation")).containsKeys("recency", "rhythm", "bgnbd", "lr-rfm", "lr", "gbt",
                    "gbt-bgnbd");
            assertThat(report.getList("importance")).isNotEmpty();
            assertThat(report.getString("decision")).startsWith("promoted");
            assertThat(report.getInt("treatedExamples")).isGreaterThan(0);
            byte[] png = given().get("/models/" + version + "/reliability.png").then().statusCode(200)
                    .contentType("image/png").extract().asByteArray();
            BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
            assertThat(image.getWidth()).isEqualTo(640);

            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().get("/members/" + run + "-m1/score")
                    .then().statusCode(200).body("modelVersion", equalTo(version)));
            // /stats says which version scores and how far its re-scoring of everyone has got (the launcher's
            // churn train waits on it): in the end every score is the new version's
            given().get("/stats").then().statusCode(200).body("model", equalTo(version));
            // labels after the event clock are not known: a run there would teach every member as churned (and,
            // trained on "later" facts, win promotion over the nightly runs until the clock caught up)
            Jobs.Followed ahead = Jobs.run("/models/train?asOf=2090-01-01");
            assertThat(ahead.state()).isEqualTo("failed");
            assertThat(ahead.end().getInt("problem.status")).isEqualTo(400);
            assertThat(ahead.end().getString("problem.detail")).startsWith("asOf: is after the latest fact recorded");
            given().get("/stats").then().statusCode(200).body("model", equalTo(version));
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                JsonPath stats = given().get("/stats").then().statusCode(200).extract().jsonPath();
                assertThat(stats.getLong("scoredByModel")).isPositive().isEqualTo(stats.getLong("scored"));
            });

            assertThat(report.getList("validation.gbt.liftCurve")).hasSize(13);
            String chosen = report.getString("chosen");
            assertThat(report.getDouble("validation." + chosen + ".aucLow95"))
                    .isLessThan(report.getDouble("validation." + chosen + ".auc"));
            assertThat(report.getDouble("validation." + chosen + ".aucHigh95"))
                    .isGreaterThan(report.getDouble("validation." + chosen + ".auc"));
            assertThat(report.getList("baselines", String.class)).containsExactly("recency", "rhythm", "bgnbd", "lr-rfm");
            modelsOverGrpc(version, chosen);
            if (HeadlessChromium.runsHere()) { // a machine without the browser still runs the rest
                theReportPageDrawsTheVersion(version, report);
            }

            // too little data: a clear error, and the promoted version keeps scoring
            assertTooLittleData(Jobs.run("/models/train?asOf=2001-01-01"));
            assertThat(registry.current()).hasValueSatisfying(m -> assertThat(m.version()).isEqualTo(version));
            given().get("/members/" + run + "-m1/score").then().statusCode(200).body("modelVersion", equalTo(version));
            purchaseFeedOutageIsRefused(run, version);
            JsonPath whatIf = given().get(WHAT_IF).then().statusCode(200).extract().jsonPath();
            assertThat(whatIf.getString("source")).contains(version);
            assertThat(whatIf.getDouble("lift")).isGreaterThan(1);
            assertThat(whatIf.getDouble("gain")).isGreaterThan(whatIf.getDouble("randomTargetingGain"));
            assertThat(whatIf.getLong("targeted")).isEqualTo(2_000);
            // the per-churner rate given back per targeted member, as POST /roi takes it
            assertThat(whatIf.getDouble("winBackPerTargeted")).isCloseTo(
                    Math.min(1, whatIf.getDouble("churnRate") * whatIf.getDouble("lift")) * 0.08, within(1e-6));

            // another replica promotes a version: this one scores with it from its next tick on
            ModelRepository.StoredModel stored = models.promoted().await().indefinitely().orElseThrow();
            ModelRepository.Summary s = stored.summary();
            String elsewhere = version + "-elsewhere";
            models.insert(new ModelRepository.StoredModel(new ModelRepository.Summary(elsewhere, s.kind(),
                    Instant.now(), s.asOf(), s.horizonDays(), true, s.validationAuc(), s.validationLift(), s.decision()),
                    stored.report(), stored.reliabilityPng(), stored.model(), stored.population())).await().indefinitely();
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().get("/members/" + run + "-m1/score")
                    .then().statusCode(200).body("modelVersion", equalTo(elsewhere)));
            // A newer version trained for another horizon (never promoted: it answers another question)...
            models.insert(new ModelRepository.StoredModel(new ModelRepository.Summary(version + "-h30", s.kind(),
                    Instant.now().plusSeconds(60), s.asOf(), 30, false, s.validationAuc(), s.validationLift(), s.decision()),
                    stored.report(), stored.reliabilityPng(), stored.model(), stored.population())).await().indefinitely();
            // ... and takes every version out of service: back to the rhythm baseline, as measured for the served horizon
            models.demoteAll().await().indefinitely();
            await().atMost(Duration.ofSeconds(30)).until(() -> registry.current().isEmpty());
            given().get(WHAT_IF).then().statusCode(200).body("source", containsString("rhythm baseline"))
                    .body("source", containsString(elsewhere)).body("source", not(containsString("-h30")));
        } finally {
            models.demoteAll().await().indefinitely();
            registry.reload();
        }
        given().get(WHAT_IF).then().statusCode(200).body("source", containsString("rhythm baseline"));
        given().get("/roi/what-if?members=100&topShare=0.2&touchCost=1&netValuePerWonBack=60").then().statusCode(400)
                .body("errors[0].field", equalTo("winBackPerChurner"));
    }

    /** The page an analyst reads a version's report on, in a real browser. */
    private static void theReportPageDrawsTheVersion(String version, JsonPath report) throws Exception {
        ChromeDriver browser = HeadlessChromium.start("1100,1800");
        try {
            String page = "http://localhost:" + RestAssured.port + "/model-reports/index.html";
            browser.get(page);
            new WebDriverWait(browser, Duration.ofSeconds(20)).until(
                    ExpectedConditions.attributeToBe(By.tagName("body"), "data-loaded", "error"));
            assertThat(browser.findElement(By.id("status")).getText()).contains("sign-in needed");

            browser.get("about:blank");
            browser.get(page + "?version=" + version + "#token=" + AuthTestResource.analyst());
            new WebDriverWait(browser, Duration.ofSeconds(20)).until(
                    ExpectedConditions.attributeToBe(By.tagName("body"), "data-loaded", "true"));
            assertThat(browser.getCurrentUrl()).doesNotContain("token");
            String chosen = report.getString("chosen");
            int kinds = report.getMap("validation").size();
            assertThat(browser.findElement(By.id("chosen")).getText()).isEqualTo(chosen);
            assertThat(browser.findElement(By.id("auc")).getText())
                    .startsWith(String.format(java.util.Locale.ROOT, "%.3f (", report.getDouble("validation." + chosen + ".auc")));
            assertThat(browser.findElement(By.cssSelector("#versions tr.selected")).getText()).contains(version);
            assertThat(browser.findElements(By.cssSelector("#models tbody tr"))).hasSize(kinds);
            assertThat(browser.findElements(By.cssSelector("#models tbody tr.baseline"))).hasSize(4);
            assertThat(browser.findElement(By.cssSelector("#models tbody tr.chosen")).getText()).startsWith(chosen);
            assertThat(browser.findElements(By.cssSelector("#lift-curve polyline"))).hasSize(kinds);
            assertThat(browser.findElements(By.cssSelector("#lift-curve polyline.chosen"))).hasSize(1);
            assertThat(browser.findElements(By.cssSelector("#importance rect"))).hasSize(report.getList("importance").size());
            assertThat((Long) browser.executeScript("return document.getElementById('reliability').naturalWidth"))
                    .isEqualTo(640L);
            assertThat(browser.findElement(By.id("decision")).getText()).isEqualTo(report.getString("decision"));
            Files.write(Path.of("target/model-report.png"), browser.getScreenshotAs(OutputType.BYTES));

            browser.get(page + "?version=nope");
            new WebDriverWait(browser, Duration.ofSeconds(20)).until(
                    ExpectedConditions.attributeToBe(By.tagName("body"), "data-loaded", "error"));
            assertThat(browser.findElement(By.id("status")).getText()).contains("404");
        } finally {
            browser.quit();
        }
    }

    /**
     * The purchase feed stops: a month without any purchase recorded up to the as-of (a visit moved the clock on), as if
     * the orders stopped arriving. Its label windows would call every member churned; the run is refused as too little
     * data is (409, the days named), and the promoted version keeps scoring.
     */
    private void purchaseFeedOutageIsRefused(String run, String version) {
        Instant silentUntil = AS_OF.plus(Duration.ofDays(30));
        MemberEvent visit = MemberEvent.newBuilder().setMemberId(run + "-m1").setEvent(ChannelEvent.newBuilder()
                .setEventId(run + "-visit").setSource(Source.SOURCE_ECOMMERCE).setType(EventType.EVENT_TYPE_VISIT)
                .setOccurredAt(Timestamp.newBuilder().setSeconds(silentUntil.getEpochSecond())).setStoreId("web-1")).build();
        try (KafkaCompanion kafka = new KafkaCompanion(bootstrapServers)) {
            kafka.registerSerde(MemberEvent.class, ProtobufSerdes.of(new MemberEventDeserializer()));
            kafka.produce(String.class, MemberEvent.class).fromRecords(List.of(
                    new ProducerRecord<>(Topics.MEMBER_EVENTS, visit.getMemberId(), visit))).awaitCompletion(Duration.ofSeconds(60));
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> streamClock.watermark().await().indefinitely()
                .filter(clock -> !clock.isBefore(silentUntil)).isPresent());

        Jobs.Followed refused = Jobs.run("/models/train?asOf=2029-07-01");

        assertThat(refused.state()).isEqualTo("failed");
        assertThat(refused.end().getInt("problem.status")).isEqualTo(409);
        // the chain's days (Asia/Shanghai): the last order was on 2029-06-01, the visit on 2029-07-01
        assertThat(refused.end().getString("problem.detail")).startsWith("purchase feed outage, no model trained: ")
                .contains("30 days 2029-06-02 to 2029-07-01 (still silent at as-of)").contains("0 seen")
                .contains("the current model is kept").contains("memberpulse.churn.label-outage-days");
        assertThat(registry.current()).hasValueSatisfying(m -> assertThat(m.version()).isEqualTo(version));
        assertThat(models.promoted().await().indefinitely()).hasValueSatisfying(
                stored -> assertThat(stored.summary().version()).isEqualTo(version));
        given().get("/stats").then().statusCode(200).body("model", equalTo(version));
    }

    private static void assertTooLittleData(Jobs.Followed job) {
        assertThat(job.state()).isEqualTo("failed");
        assertThat(job.end().getInt("problem.status")).isEqualTo(409);
        assertThat(job.end().getString("problem.detail")).contains("too little data");
    }
}
