package io.memberpulse.identity.api.grpc;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.hamcrest.Matchers.equalTo;

import com.google.protobuf.Timestamp;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.memberpulse.devstack.testing.AuthTestResource;
import io.memberpulse.proto.identity.v1.ChannelEvent;
import io.memberpulse.proto.identity.v1.EventType;
import io.memberpulse.proto.identity.v1.GetMemberRequest;
import io.memberpulse.proto.identity.v1.Identifiers;
import io.memberpulse.proto.identity.v1.IdentityServiceGrpc;
import io.memberpulse.proto.identity.v1.ImportSummary;
import io.memberpulse.proto.identity.v1.MergeEvidence;
import io.memberpulse.proto.identity.v1.OrderLine;
import io.memberpulse.proto.identity.v1.ResolveRequest;
import io.memberpulse.proto.identity.v1.Source;
import io.memberpulse.proto.identity.v1.SplitMemberRequest;
import io.memberpulse.proto.identity.v1.SplitPart;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@QuarkusTest
class IdentityGrpcServiceTest {
    ManagedChannel channel;

    @BeforeEach
    void open() {
        channel = ManagedChannelBuilder.forAddress("localhost", RestAssured.port).usePlaintext()
                .intercept(AuthTestResource.as(AuthTestResource.analyst())).build();
    }

    @AfterEach
    void close() {
        channel.shutdownNow();
    }

    static ChannelEvent order(String eventId, String memberNo) {
        return ChannelEvent.newBuilder().setEventId(eventId).setSource(Source.SOURCE_MINIAPP)
                .setType(EventType.EVENT_TYPE_ORDER).setOccurredAt(Timestamp.newBuilder().setSeconds(1_710_000_000))
                .setStoreId("s-7").setIdentifiers(Identifiers.newBuilder().setMemberNo(memberNo))
                .setLine(OrderLine.newBuilder().setOrderId("o-" + eventId).setQuantity(1).setPaidAmount(12)).build();
    }

    @Test
    void streamedImportAcceptsGoodEventsAndListsTheRejectedOnes() throws Exception {
        String memberNo = "G-" + UUID.randomUUID();
        ImportSummary summary = StreamedImport.upload(IdentityServiceGrpc.newStub(channel), List.of(
                order("g1-" + memberNo, memberNo),
                order("", memberNo), // no event_id
                order("g2-" + memberNo, memberNo)), 30);
        assertThat(summary.getAccepted()).isEqualTo(2);
        assertThat(summary.getRejected()).isEqualTo(1);
        assertThat(summary.getRejections(0).getIndex()).isEqualTo(2);
        assertThat(summary.getRejections(0).getField()).isEqualTo("event_id");

        var stub = IdentityServiceGrpc.newBlockingStub(channel);
        var resolved = stub.resolve(ResolveRequest.newBuilder()
                .setIdentifiers(Identifiers.newBuilder().setMemberNo(memberNo)).build());
        assertThat(resolved.getFound()).isTrue();
        assertThat(stub.getMember(GetMemberRequest.newBuilder().setMemberId(resolved.getMemberId()).build()).getEventCount())
                .isEqualTo(2);
    }

    @Test
    void anEventStreamedAgainWithOtherContentIsNamedAndNotTaken() throws Exception {
        String memberNo = "G-" + UUID.randomUUID();
        ChannelEvent first = order("g1-" + memberNo, memberNo);
        ChannelEvent corrected = first.toBuilder().setLine(first.getLine().toBuilder().setPaidAmount(15)).build();
        assertThat(StreamedImport.upload(IdentityServiceGrpc.newStub(channel), List.of(first), 30).getAccepted())
                .isEqualTo(1);

        ImportSummary again = StreamedImport.upload(IdentityServiceGrpc.newStub(channel), List.of(corrected, first), 30);
        assertThat(again.getAccepted()).isZero();
        assertThat(again.getDuplicates()).isEqualTo(2);
        assertThat(again.getChanged()).isEqualTo(1);
        assertThat(again.getChangedEventsList()).containsExactly("miniapp:g1-" + memberNo);
    }

    @Test
    void aStreamedEventsPaddedIdsAreTheSameIdsACsvImportReads() throws Exception {
        // A till writing fixed-width columns pads its ids; the nightly CSV of the same sales is trimmed as it is read.
        String memberNo = "G-" + UUID.randomUUID();
        ChannelEvent padded = order("g1-" + memberNo, memberNo).toBuilder().setEventId("  g1-" + memberNo + " ")
                .setStoreId("s-7 ").setLine(OrderLine.newBuilder().setOrderId(" o-g1-" + memberNo + "  ")
                        .setSku(" SKU-1 ").setQuantity(1).setPaidAmount(12)).build();
        assertThat(StreamedImport.upload(IdentityServiceGrpc.newStub(channel), List.of(padded), 30).getAccepted())
                .isEqualTo(1);

        String csv = "event_id,source,type,occurred_at,store_id,member_no,order_id,sku,quantity,paid_amount\n"
                + "g1-" + memberNo + ",miniapp,order," + Instant.ofEpochSecond(1_710_000_000) + ",s-7," + memberNo
                + ",o-g1-" + memberNo + ",SKU-1,1,12\n";
        given().contentType("text/csv").body(csv).post("/events/csv").then().statusCode(200)
                .body("accepted", equalTo(0)).body("duplicates", equalTo(1))
                .body("changed", equalTo(0));
    }

    @Test
    void badRequestsAreInvalidArgumentAndUnknownMembersNotFound() {
        var stub = IdentityServiceGrpc.newBlockingStub(channel);
        assertThatThrownBy(() -> stub.resolve(ResolveRequest.newBuilder().build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT));
        assertThatThrownBy(() -> stub.resolve(ResolveRequest.newBuilder()
                .setIdentifiers(Identifiers.newBuilder().setPhone("not a phone")).build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                    assertThat(e.getStatus().getDescription()).startsWith("phone:");
                });
        // weak evidence alone resolves nobody: named, not found = false as if no member held it
        assertThatThrownBy(() -> stub.resolve(ResolveRequest.newBuilder()
                .setIdentifiers(Identifiers.newBuilder().setDeviceId("dev-1")).build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                    assertThat(e.getStatus().getDescription()).startsWith("device_id:").contains("weak evidence");
                });
        assertThatThrownBy(() -> stub.resolve(ResolveRequest.newBuilder()
                .setIdentifiers(Identifiers.newBuilder().setPhone("138****5678")).build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                    assertThat(e.getStatus().getDescription()).startsWith("phone:").contains("weak evidence");
                });
        assertThat(stub.resolve(ResolveRequest.newBuilder().setIdentifiers(Identifiers.newBuilder().setDeviceId("dev-1")
                .setMemberNo("nobody-" + java.util.UUID.randomUUID())).build()).getFound()).isFalse();
        assertThatThrownBy(() -> stub.getMember(GetMemberRequest.newBuilder().setMemberId("nobody").build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND));
        // ids PostgreSQL cannot take in text (a NUL): named, not an INTERNAL from the query
        assertThatThrownBy(() -> stub.getMember(GetMemberRequest.newBuilder().setMemberId("m\u0000").build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                    assertThat(e.getStatus().getDescription()).isEqualTo("member_id: must not contain control characters");
                });
        assertThatThrownBy(() -> stub.getEvidence(GetMemberRequest.newBuilder().setMemberId("m\u0000").build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getDescription()).startsWith("member_id:"));
        assertThatThrownBy(() -> stub.resolve(ResolveRequest.newBuilder()
                .setIdentifiers(Identifiers.newBuilder().setMemberNo("A\u0000B")).build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                    assertThat(e.getStatus().getDescription()).startsWith("identifiers.member_no:");
                });
    }

    /**
     * The e-mail rule's pattern backtracked quadratically on an address of many dots ("a@b.b.b…@"): at 128 KB one
     * Resolve held the event loop for 22 s. Every identifier is held to its import length first, as REST POST does.
     */
    @Test
    void resolveRefusesAnIdentifierLongerThanAnyImportTakesNamingItBeforeReadingIt() {
        var stub = IdentityServiceGrpc.newBlockingStub(channel);
        String longAddress = "a".repeat(300) + "@x.cn";
        assertThatThrownBy(() -> stub.resolve(ResolveRequest.newBuilder()
                .setIdentifiers(Identifiers.newBuilder().setEmail(longAddress)).build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                    assertThat(e.getStatus().getDescription())
                            .isEqualTo("identifiers.email: is 305 characters long, at most 254 are accepted");
                });
        String manyDots = "a@" + "b.".repeat(10_000) + "@";
        assertThatThrownBy(() -> stub.resolve(ResolveRequest.newBuilder()
                .setIdentifiers(Identifiers.newBuilder().setEmail(manyDots)).build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertThat(e.getStatus().getDescription())
                        .isEqualTo("identifiers.email: is 20003 characters long, at most 254 are accepted"));
        assertThatThrownBy(() -> stub.resolve(ResolveRequest.newBuilder()
                .setIdentifiers(Identifiers.newBuilder().setMemberNo("M".repeat(65))).build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertThat(e.getStatus().getDescription())
                        .isEqualTo("identifiers.member_no: is 65 characters long, at most 64 are accepted"));
    }

    /**
     * A member id of any length was looked up and NOT_FOUND quoted it whole: 100 KB in a status description, which
     * travels as an HTTP/2 header, past what gRPC takes.
     */
    @Test
    void aMemberIdLongerThanAnyIdIsRefusedNamingItAndNotQuotedBack() {
        // a deadline: a status the transport cannot carry may never reach the caller
        var stub = IdentityServiceGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS);
        String huge = "m".repeat(100_000);
        String expected = "member_id: is 100000 characters long, at most 128 are accepted";
        assertThatThrownBy(() -> stub.getMember(GetMemberRequest.newBuilder().setMemberId(huge).build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                    assertThat(e.getStatus().getDescription()).isEqualTo(expected);
                });
        assertThatThrownBy(() -> stub.getEvidence(GetMemberRequest.newBuilder().setMemberId(huge).build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getDescription()).isEqualTo(expected));
        assertThatThrownBy(() -> stub.splitMember(SplitMemberRequest.newBuilder().setMemberId(huge)
                .addParts(SplitPart.newBuilder().addEventKeys("pos:e1")).build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getDescription()).isEqualTo(expected));
    }

    @Test
    void evidenceListsTheMergeAndSplitMemberUndoesIt() throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        var stub = IdentityServiceGrpc.newBlockingStub(channel);
        ChannelEvent card = order("g1-" + run, "GM-" + run);
        ChannelEvent app = order("g2-" + run, "").toBuilder()
                .setIdentifiers(Identifiers.newBuilder().setOpenid("GO-" + run)).build();
        ChannelEvent both = order("g3-" + run, "GM-" + run).toBuilder()
                .setIdentifiers(Identifiers.newBuilder().setMemberNo("GM-" + run).setOpenid("GO-" + run)).build();
        for (ChannelEvent event : new ChannelEvent[] {card, app, both}) {
            CompletableFuture<ImportSummary> done = new CompletableFuture<>();
            StreamObserver<ChannelEvent> upload = IdentityServiceGrpc.newStub(channel).importEvents(observer(done));
            upload.onNext(event);
            upload.onCompleted();
            assertThat(done.get(30, TimeUnit.SECONDS).getAccepted()).isEqualTo(1);
        }
        String member = stub.resolve(ResolveRequest.newBuilder()
                .setIdentifiers(Identifiers.newBuilder().setOpenid("GO-" + run)).build()).getMemberId();
        var evidence = stub.getEvidence(GetMemberRequest.newBuilder().setMemberId(member).build());
        assertThat(evidence.getMergesList()).singleElement().satisfies(merge -> {
            assertThat(merge.getSurvivingMemberId()).isEqualTo(member);
            assertThat(merge.getRule()).isEqualTo("openid");
            assertThat(merge.getEvidenceId()).isNotBlank();
        });

        var split = stub.splitMember(SplitMemberRequest.newBuilder().setMemberId(member).setReason("two people")
                .addParts(SplitPart.newBuilder().addEventKeys("miniapp:g2-" + run).addEventKeys("miniapp:g3-" + run))
                .build());
        assertThat(split.getOriginalMemberId()).isEqualTo(member);
        assertThat(stub.resolve(ResolveRequest.newBuilder()
                .setIdentifiers(Identifiers.newBuilder().setOpenid("GO-" + run)).build()).getMemberId())
                .isEqualTo(split.getParts(0).getMemberId());

        // the undone merge reads the same over gRPC as over REST
        var undone = stub.getEvidence(GetMemberRequest.newBuilder().setMemberId(member).build());
        assertThat(undone.getMergesList()).singleElement()
                .satisfies(merge -> assertThat(merge.getEvidenceId()).isEqualTo(undone.getEvidence(0).getEvidenceId()));
        MergeEvidence grpc = undone.getEvidenceList().get(0);
        assertThat(grpc.getUndoneBySplit()).isNotBlank();
        assertThat(grpc.getEventKey()).isEqualTo("miniapp:g3-" + run);
        assertThat(grpc.getIdentifiersList()).contains("openid:G****" + run.substring(run.length() - 1)); // masked
        JsonPath rest = given().get("/members/" + member + "/evidence").then().statusCode(200).extract().jsonPath();
        assertThat(rest.getList("merges")).hasSize(1);
        assertThat(rest.getString("memberId")).isEqualTo(undone.getMemberId());
        assertThat(rest.getString("merges[0].evidenceId")).isEqualTo(grpc.getEvidenceId());
        assertThat(rest.getString("merges[0].survivingMemberId")).isEqualTo(grpc.getSurvivingMemberId());
        assertThat(rest.getString("merges[0].absorbedMemberId")).isEqualTo(grpc.getAbsorbedMemberId());
        assertThat(rest.getString("merges[0].rule")).isEqualTo(grpc.getRule());
        assertThat(rest.getDouble("merges[0].score")).isEqualTo(grpc.getScore());
        assertThat(rest.getList("merges[0].identifiers", String.class)).isEqualTo(grpc.getIdentifiersList());
        assertThat(rest.getList("merges[0].reasons", String.class)).isEqualTo(grpc.getReasonsList());
        assertThat(rest.getString("merges[0].eventKey")).isEqualTo(grpc.getEventKey());
        assertThat(Instant.parse(rest.getString("merges[0].occurredAt"))).isEqualTo(instant(grpc.getOccurredAt()));
        assertThat(Instant.parse(rest.getString("merges[0].mergedAt"))).isEqualTo(instant(grpc.getMergedAt()));
        assertThat(rest.getString("merges[0].undoneBySplit")).isEqualTo(grpc.getUndoneBySplit());

        assertThatThrownBy(() -> stub.splitMember(SplitMemberRequest.newBuilder().setMemberId(member)
                .setReason("again").addParts(SplitPart.newBuilder().addEventKeys("pos:nothing")).build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                    assertThat(e.getStatus().getDescription()).startsWith("parts[0].event_keys[0]:");
                });
        // a reason PostgreSQL cannot store (a NUL: the split stored it, a 500 / INTERNAL) is refused before anything
        assertThatThrownBy(() -> stub.splitMember(SplitMemberRequest.newBuilder().setMemberId(member)
                .setReason("two\u0000people").addParts(SplitPart.newBuilder().addEventKeys("pos:nothing")).build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                    assertThat(e.getStatus().getDescription())
                            .isEqualTo("reason: must not contain control characters other than tab and line breaks");
                });
        assertThatThrownBy(() -> stub.getEvidence(GetMemberRequest.newBuilder().setMemberId("nobody").build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND));
    }

    static Instant instant(Timestamp timestamp) {
        return Instant.ofEpochSecond(timestamp.getSeconds(), timestamp.getNanos());
    }

    static StreamObserver<ImportSummary> observer(CompletableFuture<ImportSummary> done) {
        return new StreamObserver<>() {
            @Override
            public void onNext(ImportSummary summary) {
                done.complete(summary);
            }

            @Override
            public void onError(Throwable t) {
                done.completeExceptionally(t);
            }

            @Override
            public void onCompleted() {
            }
        };
    }
}
