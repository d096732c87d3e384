package io.memberpulse.churn.api.rest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import com.google.protobuf.Timestamp;
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
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * Batch evaluation on facts from member.events. Its members live years before every other test's
 * (so no other test's facts precede its asOf) and are deleted afterwards (so no other test trains on them).
 */
@QuarkusTest
class BatchScoreResourceTest {
    /** The days of asOf=DATE: the chain's calendar (memberpulse.churn.day-zone), where a date begins. */
    static final ZoneId CHAIN = ZoneId.of("Asia/Shanghai");
    /** asOf=2016-06-01 as the service reads it: the start of that day on the chain's calendar. */
    static final Instant AS_OF = startOf("2016-06-01");
    static final int MEMBERS = 300;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    @Inject
    Pool pool;

    /** Buyers at Poisson rates who drop out at random moments during the 420 days before asOf; even ones have a number. */
    static List<ProducerRecord<String, MemberEvent>> before(String run) {
        Random random = new Random(16);
        List<ProducerRecord<String, MemberEvent>> records = new ArrayList<>();
        for (int m = 0; m < MEMBERS; m++) {
            String member = run + "-m" + String.format("%03d", m);
            double meanGap = new double[] {7, 14, 30, 60}[random.nextInt(4)];
            double day = random.nextDouble() * 200;
            double death = day + random.nextDouble() * 500;
            int order = 0;
            while (day < 420 && day < death) {
                Instant at = AS_OF.minus(Duration.ofMinutes(Math.max(1, Math.round((420 - day) * 1440))));
                records.add(order(member, order++, at, m % 2 == 0 ? "no-" + m : "", 10 + random.nextInt(40)));
                day += -meanGap * Math.log(1 - random.nextDouble());
            }
        }
        return records;
    }

    /** Facts at and after asOf: more orders of known members, and a member who first buys then. */
    static List<ProducerRecord<String, MemberEvent>> after(String run) {
        List<ProducerRecord<String, MemberEvent>> records = new ArrayList<>();
        for (int m = 0; m < 60; m++) {
            String member = run + "-m" + String.format("%03d", m);
            Instant at = m == 0 ? AS_OF : AS_OF.plus(Duration.ofDays(1 + m));
            records.add(order(member, 1_000, at, m % 2 == 0 ? "no-" + m : "", 500));
        }
        records.add(order(run + "-newcomer", 0, AS_OF.plus(Duration.ofDays(3)), "no-new", 20));
        return records;
    }

    static ProducerRecord<String, MemberEvent> order(String member, int n, Instant at, String memberNo, double paid) {
        MemberEvent event = MemberEvent.newBuilder().setMemberId(member).setEvent(ChannelEvent.newBuilder()
                .setEventId(member + "-" + n).setSource(Source.SOURCE_ECOMMERCE).setType(EventType.EVENT_TYPE_ORDER)
                .setOccurredAt(Timestamp.newBuilder().setSeconds(at.getEpochSecond())).setStoreId("web-1")
                .setIdentifiers(Identifiers.newBuilder().setMemberNo(memberNo))
                .setLine(OrderLine.newBuilder().setOrderId(member + "-o" + n).setSku("sku-" + n % 30).setQuantity(1)
                        .setPaidAmount(paid))).build();
        return new ProducerRecord<>(Topics.MEMBER_EVENTS, member, event);
    }

    @Test
    void scoresEveryEarlierBuyerFromFactsBeforeAsOfAlone() {
        Jobs.Followed tooEarly = Jobs.run("/models/batch-scores?asOf=2001-01-01&horizon=90");
        assertThat(tooEarly.state()).isEqualTo("failed");
        assertThat(tooEarly.end().getInt("problem.status")).isEqualTo(409);
        assertThat(tooEarly.end().getString("problem.detail")).contains("too little data");
        String failedId = tooEarly.end().getString("id");
        given().get("/jobs/" + failedId + "/scores").then().statusCode(409)
                .body("detail", containsString("failed: too little data"));
        given().post("/models/batch-scores?asOf=soon&horizon=90").then().statusCode(400)
                .body("errors[0].field", equalTo("asOf"));
        given().post("/models/batch-scores?horizon=90").then().statusCode(400).body("errors[0].field", equalTo("asOf"));
        given().post("/models/batch-scores?asOf=2016-06-01&horizon=ninety").then().statusCode(400)
                .body("errors[0].field", equalTo("horizon"));
        given().post("/models/batch-scores?asOf=2016-06-01&horizon=0").then().statusCode(400)
                .body("errors[0].field", equalTo("horizon"));

        String run = "bs-" + UUID.randomUUID().toString().substring(0, 8);
        List<ProducerRecord<String, MemberEvent>> early = before(run);
        Set<String> buyers = new LinkedHashSet<>();
        early.forEach(record -> buyers.add(record.key()));
        try {
            // Asked for the moment the facts are published, as `./memberpulse import` then `churn score` does: the
            // job waits until the consumers have stored them all (stage awaiting-facts) before it reads them.
            produce(early);
            String csv = batchScore();
            List<String> lines = ownLines(csv, run);
            assertThat(csv).startsWith("member_id,member_no,churn_probability\r\n");
            assertThat(lines).hasSize(buyers.size());
            assertThat(lines).isSorted();
            for (String line : lines) {
                String[] cells = line.split(",", -1);
                int m = Integer.parseInt(cells[0].substring(cells[0].lastIndexOf('m') + 1));
                assertThat(cells[1]).isEqualTo(m % 2 == 0 ? "no-" + m : "");
                assertThat(Double.parseDouble(cells[2])).isBetween(0.0, 1.0);
            }

            produce(after(run));
            assertThat(ownLines(batchScore(), run)).isEqualTo(lines);

            // Shorter histories: 190 days before asOf leave no validation window (its training cut-offs would
            // need 180 days), so the blend is trained unvalidated; 90 days leave no labelled cut-off at all.
            assertThat(ownLines(batchScore("2015-10-15", "blend", "not validated"), run))
                    .hasSize(buyersBefore(early, startOf("2015-10-15")));
            assertThat(ownLines(batchScore("2015-07-07", "bgnbd", "not trained"), run))
                    .hasSize(buyersBefore(early, startOf("2015-07-07")));
        } finally {
            for (String table : List.of("purchase_line", "member_activity", "member_number", "churn_score")) {
                pool.preparedQuery("DELETE FROM " + table + " WHERE member_id LIKE $1").execute(Tuple.of(run + "-%"))
                        .await().indefinitely();
            }
        }
    }

    @Test
    void tooFewBuyersToFitBgNbdAreRankedByTheirOwnRhythmNotAllScoredAlike() {
        // twenty buyers in 2005, long before every other test's facts: no labelled cut-off, and BG/NBD needs 50
        String run = "fw-" + UUID.randomUUID().toString().substring(0, 8);
        Instant asOf = Instant.parse("2005-06-01T00:00:00Z");
        List<ProducerRecord<String, MemberEvent>> records = new ArrayList<>();
        for (int m = 0; m < 20; m++) {
            String member = run + "-m" + String.format("%03d", m);
            for (int o = 0; o <= m % 4; o++) {
                records.add(order(member, o, asOf.minus(Duration.ofDays(5 + m * 7L + o * (10L + m))), "", 20));
            }
        }
        try {
            produce(records);
            List<String> lines = ownLines(batchScore("2005-06-01", "rhythm", "too few buyers to fit BG/NBD"), run);
            assertThat(lines).hasSize(20);
            // (BG/NBD's empty column scored every one of them 0.5)
            assertThat(lines.stream().map(line -> line.split(",", -1)[2]).distinct().count()).isGreaterThan(10);
        } finally {
            for (String table : List.of("purchase_line", "member_activity", "member_number", "churn_score")) {
                pool.preparedQuery("DELETE FROM " + table + " WHERE member_id LIKE $1").execute(Tuple.of(run + "-%"))
                        .await().indefinitely();
            }
        }
    }

    @Test
    void aDateIsTheStartOfThatDayOnTheChainsCalendar() {
        // The chain's days are Asia/Shanghai's (memberpulse.churn.day-zone), as the features count them and as an
        // import reads a CSV time without offset: 02:33 on 2025-09-10 there is 18:33 UTC the day before. As of
        // 2025-09-10 means before that day began there, so that order is after as-of and its member not yet a buyer.
        String run = "dz-" + UUID.randomUUID().toString().substring(0, 8);
        String regular = run + "-regular";
        String newcomer = run + "-newcomer";
        List<ProducerRecord<String, MemberEvent>> records = new ArrayList<>();
        for (int o = 0; o < 4; o++) {
            records.add(order(regular, o, OffsetDateTime.parse("2025-09-09T23:59:00+08:00").toInstant()
                    .minus(Duration.ofDays(20L * o)), "", 20));
        }
        records.add(order(newcomer, 0, OffsetDateTime.parse("2025-09-10T02:33:00+08:00").toInstant(), "no-new", 20));
        try {
            produce(records);
            Jobs.Followed job = Jobs.run("/models/batch-scores?asOf=2025-09-10&horizon=90");
            assertThat(job.state()).isEqualTo("succeeded");
            assertThat(job.end().getString("asOf")).isEqualTo("2025-09-09T16:00:00Z");
            String csv = given().accept("text/csv").get(job.end().getString("scores")).then().statusCode(200)
                    .extract().asString();
            assertThat(ownLines(csv, run)).hasSize(1).allMatch(line -> line.startsWith(regular + ","));
        } finally {
            for (String table : List.of("purchase_line", "member_activity", "member_number", "churn_score")) {
                pool.preparedQuery("DELETE FROM " + table + " WHERE member_id LIKE $1").execute(Tuple.of(run + "-%"))
                        .await().indefinitely();
            }
        }
    }

    /** Runs the batch as a job; checks that it reported its stages in order and names its result. */
    private static String batchScore() {
        Jobs.Followed job = Jobs.run("/models/batch-scores?asOf=2016-06-01&horizon=90");
        assertThat(job.state()).isEqualTo("succeeded");
        assertThat(job.end().getString("kind")).isEqualTo("batch-score");
        assertThat(job.end().getString("asOf")).isEqualTo(AS_OF.toString());
        assertThat(job.end().getString("progress.stage")).isEqualTo("scoring");
        assertThat(job.end().getInt("progress.done")).isEqualTo(job.end().getInt("progress.total"));
        List<String> stages = List.of("awaiting-facts", "loading-facts", "validation-snapshots", "validating-models",
                "training-snapshots", "refitting", "scoring");
        assertThat(job.stagesSeen()).isSubsetOf(stages).endsWith("scoring");
        assertThat(job.stagesSeen()).isSortedAccordingTo(java.util.Comparator.comparingInt(stages::indexOf));
        String csv = given().accept("text/csv").get(job.end().getString("scores")).then().statusCode(200)
                .contentType(containsString("text/csv")).header("X-Model-Kind", job.end().getString("result.model"))
                .extract().asString();
        assertThat(csv.lines().count() - 1).isEqualTo(job.end().getLong("result.membersScored"));
        return csv;
    }

    /** A batch on a short history: succeeds with this kind, its basis saying how far the history allowed. */
    private static String batchScore(String asOf, String kind, String basis) {
        Jobs.Followed job = Jobs.run("/models/batch-scores?asOf=" + asOf + "&horizon=90");
        assertThat(job.state()).isEqualTo("succeeded");
        assertThat(job.end().getString("result.model")).isEqualTo(kind);
        assertThat(job.end().getString("result.basis")).contains(basis);
        return given().accept("text/csv").get(job.end().getString("scores")).then().statusCode(200)
                .header("X-Model-Kind", kind).extract().asString();
    }

    private static Instant startOf(String date) {
        return LocalDate.parse(date).atStartOfDay(CHAIN).toInstant();
    }

    private static int buyersBefore(List<ProducerRecord<String, MemberEvent>> records, Instant asOf) {
        return (int) records.stream().filter(r -> r.value().getEvent().getOccurredAt().getSeconds() < asOf.getEpochSecond())
                .map(ProducerRecord::key).distinct().count();
    }

    private static List<String> ownLines(String csv, String run) {
        return csv.lines().filter(line -> line.startsWith(run + "-")).toList();
    }

    private void produce(List<ProducerRecord<String, MemberEvent>> records) {
        try (KafkaCompanion kafka = new KafkaCompanion(bootstrapServers)) {
            kafka.registerSerde(MemberEvent.class, ProtobufSerdes.of(new MemberEventDeserializer()));
            kafka.produce(String.class, MemberEvent.class).fromRecords(records).awaitCompletion(Duration.ofSeconds(60));
        }
    }
}
