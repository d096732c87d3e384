package io.memberpulse.identity.api;

import static io.memberpulse.identity.ResolveBodies.identifiers;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.startsWith;

import com.google.protobuf.Timestamp;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.memberpulse.devstack.testing.AuthTestResource;
import io.memberpulse.identity.api.grpc.StreamedImport;
import io.memberpulse.proto.identity.v1.ChannelEvent;
import io.memberpulse.proto.identity.v1.EventType;
import io.memberpulse.proto.identity.v1.Identifiers;
import io.memberpulse.proto.identity.v1.IdentityServiceGrpc;
import io.memberpulse.proto.identity.v1.ImportSummary;
import io.memberpulse.proto.identity.v1.Profile;
import io.memberpulse.proto.identity.v1.Source;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Absurd values are refused at every edge with line, field and reason; the rest goes in; no merge. */
@QuarkusTest
class AbsurdValuesTest {
    static final String HEADER = "event_id,source,type,occurred_at,store_id,phone,member_no,name\n";
    static final String MEGABYTE_NAME = "名".repeat(1 << 20);

    static String row(String eventId, String phone, String memberNo, String name) {
        return eventId + ",pos,visit,2024-03-01T10:00:00+08:00,s-abs," + phone + "," + memberNo + "," + name + "\n";
    }

    @Test
    void csvRowsWithAHugePhoneOrNameAreRejectedAtTheirLineAndTheOthersImportUnmerged() {
        String run = UUID.randomUUID().toString().substring(0, 8);
        String phoneOfB = "1391" + String.format("%07d", Math.abs(run.hashCode()) % 10_000_000);
        String csv = HEADER
                + row("a-" + run, "", "MA-" + run, "")                      // line 2: member A
                + row("b-" + run, phoneOfB, "MB-" + run, "")                // line 3: member B
                + row("huge-name-" + run, phoneOfB, "MA-" + run, MEGABYTE_NAME) // line 4: would glue A and B
                + row("huge-phone-" + run, "1".repeat(200), "MA-" + run, "")    // line 5
                + row("c-" + run, "", "MC-" + run, "张三");                   // line 6
        given().contentType("text/csv").body(csv).when().post("/events/csv").then().statusCode(200)
                .body("accepted", equalTo(3)).body("rejected", equalTo(2))
                .body("rejections.find { it.line == 4 }.field", equalTo("name"))
                .body("rejections.find { it.line == 4 }.reason", equalTo("is 1048576 characters long, at most 100 are accepted"))
                .body("rejections.find { it.line == 5 }.field", equalTo("phone"))
                .body("rejections.find { it.line == 5 }.reason.length()", lessThan(120));

        String memberA = resolve("member_no", "MA-" + run);
        String memberB = resolve("member_no", "MB-" + run);
        assertThat(memberA).isNotEqualTo(memberB);
        given().get("/members/" + memberA).then().body("eventCount", equalTo(1));
        resolve("member_no", "MC-" + run);
    }

    @Test
    void aRowDatedTwoDaysAheadIsRejectedNamingOccurredAtAndTheOtherRowsOfTheFileImported() throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        String twoDaysAhead = Instant.now().plus(Duration.ofDays(2)).truncatedTo(ChronoUnit.SECONDS).toString();
        String csv = HEADER
                + row("past-" + run, "", "MP-" + run, "")                       // line 2
                + row("future-" + run, "", "MF-" + run, "").replace("2024-03-01T10:00:00+08:00", twoDaysAhead) // line 3
                + row("past2-" + run, "", "MP2-" + run, "");                    // line 4
        given().contentType("text/csv").body(csv).when().post("/events/csv").then().statusCode(200)
                .body("accepted", equalTo(2)).body("rejected", equalTo(1))
                .body("rejections[0].line", equalTo(3))
                .body("rejections[0].field", equalTo("occurred_at"))
                .body("rejections[0].reason", startsWith("is in the future: " + twoDaysAhead + " is later than now plus PT24H"));
        resolve("member_no", "MP-" + run);
        resolve("member_no", "MP2-" + run);
        given().spec(identifiers("member_no", "MF-" + run)).when().post("/members/resolve").then().statusCode(404);

        // the same rule over gRPC
        ManagedChannel channel = ManagedChannelBuilder.forAddress("localhost", RestAssured.port).usePlaintext()
                .intercept(AuthTestResource.as(AuthTestResource.analyst())).build();
        try {
            ImportSummary summary = StreamedImport.upload(IdentityServiceGrpc.newStub(channel), List.of(
                    visit("gp-" + run, "MGP-" + run, ""),
                    visit("gf-" + run, "MGF-" + run, "").toBuilder().setOccurredAt(Timestamp.newBuilder()
                            .setSeconds(Instant.now().plus(Duration.ofDays(2)).getEpochSecond())).build()), 60);
            assertThat(summary.getAccepted()).isEqualTo(1);
            assertThat(summary.getRejections(0).getIndex()).isEqualTo(2);
            assertThat(summary.getRejections(0).getField()).isEqualTo("occurred_at");
        } finally {
            channel.shutdownNow();
        }
    }

    @Test
    void rowsDatedBeyondWhatCanBeStoredAreRejectedNamingOccurredAtAndTheOthersImported() throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        // (a 500 before, and the batch's good rows with it: PostgreSQL refused the year -10000 for the whole insert)
        String csv = HEADER
                + row("ok-" + run, "", "MOK-" + run, "")                                                    // line 2
                + row("bc-" + run, "", "MBC-" + run, "").replace("2024-03-01T10:00:00+08:00", "-10000-01-01T00:00:00Z") // 3
                + row("typo-" + run, "", "MTY-" + run, "").replace("2024-03-01T10:00:00+08:00", "0210-03-01T10:00:00Z"); // 4
        given().contentType("text/csv").body(csv).when().post("/events/csv").then().statusCode(200)
                .body("accepted", equalTo(1)).body("rejected", equalTo(2))
                .body("rejections.line", contains(3, 4))
                .body("rejections.field", contains("occurred_at", "occurred_at"))
                .body("rejections[0].reason", startsWith("must be a valid instant no earlier than 1900-01-01T00:00:00Z"));
        resolve("member_no", "MOK-" + run);

        // over gRPC, Timestamps beyond what an Instant holds (an INTERNAL error before) and nanos out of range
        ManagedChannel channel = ManagedChannelBuilder.forAddress("localhost", RestAssured.port).usePlaintext()
                .intercept(AuthTestResource.as(AuthTestResource.analyst())).build();
        try {
            ImportSummary summary = StreamedImport.upload(IdentityServiceGrpc.newStub(channel), List.of(
                    visit("gok-" + run, "MGOK-" + run, ""),
                    visit("gmax-" + run, "MGMAX-" + run, "").toBuilder()
                            .setOccurredAt(Timestamp.newBuilder().setSeconds(Long.MAX_VALUE)).build(),
                    visit("gmin-" + run, "MGMIN-" + run, "").toBuilder()
                            .setOccurredAt(Timestamp.newBuilder().setSeconds(-200_000_000_000L)).build(),
                    visit("gnano-" + run, "MGNANO-" + run, "").toBuilder()
                            .setOccurredAt(Timestamp.newBuilder().setSeconds(1_710_000_000).setNanos(-5)).build()), 60);
            assertThat(summary.getAccepted()).isEqualTo(1);
            assertThat(summary.getRejectionsList()).extracting(r -> r.getIndex() + " " + r.getField())
                    .containsExactly("2 occurred_at", "3 occurred_at", "4 occurred_at");
        } finally {
            channel.shutdownNow();
        }
        resolve("member_no", "MGOK-" + run);
    }

    @Test
    void aCsvRowWithANulInsideACellIsRejectedAloneNamingTheFieldAndTheOthersImported() {
        String run = UUID.randomUUID().toString().substring(0, 8);
        String csv = HEADER
                + row("n1-" + run, "", "MN1-" + run, "张三")          // line 2
                + row("n2-" + run, "", "MN2-\u0000" + run, "")      // line 3: PostgreSQL refuses text with NUL
                + row("n3-" + run, "", "MN3-" + run, "李四");         // line 4
        given().contentType("text/csv; charset=UTF-8").body(csv).when().post("/events/csv").then().statusCode(200)
                .body("accepted", equalTo(2)).body("rejected", equalTo(1))
                .body("rejections[0].line", equalTo(3))
                .body("rejections[0].field", equalTo("member_no"))
                .body("rejections[0].reason", equalTo("contains the control character U+0000 at character 5"));
        resolve("member_no", "MN1-" + run);
        resolve("member_no", "MN3-" + run);
        given().spec(identifiers("member_no", "MN2-" + run)).when().post("/members/resolve").then().statusCode(404);
    }

    @Test
    void jsonEventsWithANulOrAnotherControlCharacterAreRejectedNamingTheFieldAndTheOthersImported() {
        String run = UUID.randomUUID().toString().substring(0, 8);
        String body = """
                [{"event_id": "jn1-%1$s", "source": "app", "type": "visit", "occurred_at": "2024-03-01T10:00:00+08:00",
                  "store_id": "s-abs", "member_no": "MJN1-%1$s"},
                 {"event_id": "jn2-%1$s", "source": "app", "type": "visit", "occurred_at": "2024-03-01T10:00:00+08:00",
                  "store_id": "s-abs", "member_no": "MJN2-\\u0000%1$s"},
                 {"event_id": "jn3-%1$s", "source": "app", "type": "review", "occurred_at": "2024-03-01T10:00:00+08:00",
                  "store_id": "s-abs", "member_no": "MJN3-%1$s", "order_id": "o-%1$s", "rating": 4,
                  "review_text": "go\\u0007od"},
                 {"event_id": "jn4-%1$s", "source": "app", "type": "review", "occurred_at": "2024-03-01T10:00:00+08:00",
                  "store_id": "s-abs", "member_no": "MJN4-%1$s", "order_id": "o-%1$s", "rating": 5,
                  "review_text": "fresh\\tand\\r\\ncheap"}]""".formatted(run);
        given().contentType(ContentType.JSON).body(body).when().post("/events").then().statusCode(200)
                .body("accepted", equalTo(2)).body("rejected", equalTo(2))
                .body("rejections.find { it.position == 2 }.field", equalTo("member_no"))
                .body("rejections.find { it.position == 2 }.reason", equalTo("contains the control character U+0000 at character 6"))
                .body("rejections.find { it.position == 3 }.field", equalTo("review_text"))
                .body("rejections.find { it.position == 3 }.reason", startsWith("contains the control character U+0007"));
        resolve("member_no", "MJN1-" + run);
        resolve("member_no", "MJN4-" + run); // tab and line breaks are kept in free text
        // one event alone: 400 naming the field, nothing stored
        given().contentType(ContentType.JSON).body("""
                {"event_id": "jn5-%1$s", "source": "app", "type": "visit", "occurred_at": "2024-03-01T10:00:00+08:00",
                 "store_id": "s-\\u0000abs", "member_no": "MJN5-%1$s"}""".formatted(run))
                .when().post("/events").then().statusCode(400).contentType("application/problem+json")
                .body("errors[0].field", equalTo("store_id"));
        given().spec(identifiers("member_no", "MJN5-" + run)).when().post("/members/resolve").then().statusCode(404);
    }

    @Test
    void jsonEventsWithOverlongIdsAndAmountsAreRejectedNamingTheField() {
        String run = UUID.randomUUID().toString();
        String body = """
                [{"event_id": "%s", "source": "app", "type": "visit", "occurred_at": "2024-03-01T10:00:00+08:00",
                  "store_id": "s-abs", "member_no": "MJ-%s"},
                 {"event_id": "j2-%s", "source": "app", "type": "order", "occurred_at": "2024-03-01T10:00:00+08:00",
                  "store_id": "s-abs", "member_no": "MJ2-%s", "order_id": "o-%s", "quantity": 1, "paid_amount": 1e300},
                 {"event_id": "j3-%s", "source": "app", "type": "visit", "occurred_at": "2024-03-01T10:00:00+08:00",
                  "store_id": "s-abs", "member_no": "MJ3-%s", "address": "%s"}]"""
                .formatted("x".repeat(129), run, run, run, run, run, run, "路".repeat(301));
        given().contentType(ContentType.JSON).body(body).when().post("/events").then().statusCode(200)
                .body("accepted", equalTo(0)).body("rejected", equalTo(3))
                .body("rejections.field", hasItem("event_id"))
                .body("rejections.find { it.position == 2 }.field", equalTo("paid_amount"))
                .body("rejections.find { it.position == 3 }.field", equalTo("address"));
        // one event alone is refused as a whole: 400 problem+json naming the field
        given().contentType(ContentType.JSON).body("""
                {"event_id": "j4-%s", "source": "app", "type": "visit", "occurred_at": "2024-03-01T10:00:00+08:00",
                 "store_id": "s-abs", "email": "%s@example.com"}""".formatted(run, "e".repeat(300)))
                .when().post("/events").then().statusCode(400).contentType("application/problem+json")
                .body("errors[0].field", equalTo("email"));
    }

    @Test
    void grpcImportListsTheAbsurdEventAndKeepsTheOthers() throws Exception {
        ManagedChannel channel = ManagedChannelBuilder.forAddress("localhost", RestAssured.port).usePlaintext()
                .intercept(AuthTestResource.as(AuthTestResource.analyst())).build();
        try {
            String run = UUID.randomUUID().toString();
            ImportSummary summary = StreamedImport.upload(IdentityServiceGrpc.newStub(channel), List.of(
                    visit("g1-" + run, "MG-" + run, ""),
                    // (a message over the gRPC server's inbound limit fails the whole stream with RESOURCE_EXHAUSTED)
                    visit("g2-" + run, "MG-" + run, "名".repeat(20_000)),
                    visit("g3-" + run, "MG-" + run, "")), 60);
            assertThat(summary.getAccepted()).isEqualTo(2);
            assertThat(summary.getRejected()).isEqualTo(1);
            assertThat(summary.getRejections(0).getIndex()).isEqualTo(2);
            assertThat(summary.getRejections(0).getField()).isEqualTo("name");
        } finally {
            channel.shutdownNow();
        }
    }

    static ChannelEvent visit(String eventId, String memberNo, String name) {
        return ChannelEvent.newBuilder().setEventId(eventId).setSource(Source.SOURCE_APP)
                .setType(EventType.EVENT_TYPE_VISIT).setOccurredAt(Timestamp.newBuilder().setSeconds(1_710_000_000))
                .setStoreId("s-abs").setIdentifiers(Identifiers.newBuilder().setMemberNo(memberNo))
                .setProfile(Profile.newBuilder().setName(name)).build();
    }

    private static String resolve(String type, String value) {
        return given().spec(identifiers(type, value)).when().post("/members/resolve").then().statusCode(200)
                .extract().path("memberId");
    }
}
