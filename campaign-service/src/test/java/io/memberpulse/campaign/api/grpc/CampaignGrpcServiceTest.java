package io.memberpulse.campaign.api.grpc;

import static io.memberpulse.campaign.testdata.ChurnEvents.T1;
import static io.memberpulse.campaign.testdata.ChurnEvents.scored;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.memberpulse.campaign.WithKafkaCompanion;
import io.memberpulse.campaign.testdata.ChurnEvents;
import io.memberpulse.devstack.testing.AuthTestResource;
import io.memberpulse.proto.campaign.v1.CallList;
import io.memberpulse.proto.campaign.v1.CallTask;
import io.memberpulse.proto.campaign.v1.CampaignServiceGrpc;
import io.memberpulse.proto.campaign.v1.GetCallListRequest;
import io.memberpulse.proto.campaign.v1.GetCampaignResultsRequest;
import io.memberpulse.proto.campaign.v1.RecordOutcomeRequest;
import io.memberpulse.proto.campaign.v1.RevealContactRequest;
import io.memberpulse.proto.campaign.v1.RevealedContact;
import io.memberpulse.campaign.testdata.MemberEvents;
import io.memberpulse.proto.identity.v1.ChannelEvent;
import io.memberpulse.proto.identity.v1.EventType;
import io.memberpulse.proto.identity.v1.Identifiers;
import io.memberpulse.proto.identity.v1.MemberEvent;
import io.memberpulse.proto.identity.v1.Source;
import io.memberpulse.proto.campaign.v1.TaskStatus;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.memberpulse.proto.churn.v1.ChurnScored;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** GetCallList over a plain channel, as an analyst unless said otherwise: in tests gRPC shares the random HTTP test port. */
@QuarkusTest
class CampaignGrpcServiceTest extends WithKafkaCompanion {
    @jakarta.inject.Inject
    io.vertx.mutiny.sqlclient.Pool database;

    ManagedChannel channel;
    CampaignServiceGrpc.CampaignServiceBlockingStub campaigns;

    @BeforeEach
    void connect() {
        channel = channelAs(AuthTestResource.analyst());
        campaigns = CampaignServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    @AfterEach
    void close() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    /** A deadline per call: the stub's own runs from @BeforeEach, and a cold first list can outlast it while polled. */
    private CallList callList(String store, int limit) {
        return campaigns.withDeadlineAfter(10, TimeUnit.SECONDS)
                .getCallList(GetCallListRequest.newBuilder().setStoreId(store).setLimit(limit).build());
    }

    @Test
    void theCallListComesRankedByValueAtRisk() {
        String run = ChurnEvents.run();
        String store = "g-" + run;
        // 20 members: two calls, for the two riskiest, listed by what is at stake.
        List<ChurnScored> scores = new ArrayList<>();
        scores.add(scored("a-" + run, store, 0.95, 100.0, T1));
        scores.add(scored("b-" + run, store, 0.90, 1000.0, T1));
        for (int i = 0; i < 18; i++) {
            scores.add(scored("low-" + run + "-" + i, store, 0.10, 9000.0, T1));
        }
        ChurnEvents.publish(kafka, scores);

        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> assertThat(callList(store, 0)
                .getTasksList()).extracting(CallTask::getMemberId).containsExactly("b-" + run, "a-" + run));

        CallList list = callList(store, 1);
        assertThat(list.getStoreId()).isEqualTo(store);
        assertThat(list.getTasksList()).hasSize(1);
        CallTask first = list.getTasks(0);
        assertThat(first.getMemberId()).isEqualTo("b-" + run);
        assertThat(first.getStoreId()).isEqualTo(store);
        assertThat(first.getStatus()).isEqualTo(TaskStatus.TASK_STATUS_OPEN);
        assertThat(first.getValueAtRisk()).isCloseTo(900.0, Offset.offset(1e-9));
        assertThat(first.getTalkingPointsList()).contains("churn risk 90%");
        assertThat(first.getDueAt().getSeconds() - first.getCreatedAt().getSeconds()).isEqualTo(72 * 3600);
        assertThat(first.getTaskId()).isNotBlank();
    }

    /** A channel whose every call carries this bearer token (one token per channel: the server reads one). */
    static ManagedChannel channelAs(String token) {
        return ManagedChannelBuilder.forAddress("localhost", RestAssured.port).usePlaintext()
                .intercept(AuthTestResource.as(token)).build();
    }

    /** Store staff see only their own store (their token's store_id), as over REST. */
    @Test
    void staffOfAStoreSeeAndCloseOnlyTheirOwnStoresTasks() {
        String run = ChurnEvents.run();
        String home = "home-" + run;
        String other = "other-" + run;
        List<ChurnScored> scores = new ArrayList<>();
        scores.add(scored("h-" + run, home, 0.95, 500.0, T1));
        scores.add(scored("o-" + run, other, 0.95, 500.0, T1));
        for (int i = 0; i < 18; i++) {
            scores.add(scored("hl-" + run + "-" + i, home, 0.10, 100.0, T1));
            scores.add(scored("ol-" + run + "-" + i, other, 0.10, 100.0, T1));
        }
        ChurnEvents.publish(kafka, scores);
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> {
            assertThat(callList(home, 0).getTasksList()).isNotEmpty();
            assertThat(callList(other, 0).getTasksList()).isNotEmpty();
        });
        ManagedChannel staffChannel = channelAs(AuthTestResource.staff(home));
        try {
            var homeStaff = CampaignServiceGrpc.newBlockingStub(staffChannel).withDeadlineAfter(10, TimeUnit.SECONDS);
            CallList own = homeStaff.getCallList(GetCallListRequest.newBuilder().setStoreId(home).build());
            assertThat(own.getTasksList()).extracting(CallTask::getMemberId).containsExactly("h-" + run);
            StatusRuntimeException foreignList = catchThrowableOfType(StatusRuntimeException.class,
                    () -> homeStaff.getCallList(GetCallListRequest.newBuilder().setStoreId(other).build()));
            assertThat(foreignList.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);

            CallTask foreignTask = callList(other, 0).getTasks(0);
            StatusRuntimeException foreignOutcome = catchThrowableOfType(StatusRuntimeException.class,
                    () -> homeStaff.recordOutcome(notReached(foreignTask)));
            assertThat(foreignOutcome.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
            // The refused call changed nothing: the task is still open for its own store.
            assertThat(callList(other, 0).getTasks(0).getStatus()).isEqualTo(TaskStatus.TASK_STATUS_OPEN);

            // Their own store's task they close.
            assertThat(homeStaff.recordOutcome(notReached(own.getTasks(0))).getStatus()).isEqualTo(TaskStatus.TASK_STATUS_DONE);
        } finally {
            staffChannel.shutdownNow();
        }
    }

    /** RevealContact as POST /tasks/{id}/contact: own store's open task only, another's NOT_FOUND, a closed one refused. */
    @Test
    void staffRevealThePhoneOfTheirOwnStoresOpenTaskOnly() {
        String run = ChurnEvents.run();
        String home = "rc-" + run;
        String member = "rc-" + run + "-1";
        MemberEvents.register(kafka);
        MemberEvents.publish(kafka, List.of(MemberEvent.newBuilder().setMemberId(member).setEvent(ChannelEvent.newBuilder()
                .setEventId("rc-" + run).setSource(Source.SOURCE_POS).setType(EventType.EVENT_TYPE_VISIT).setStoreId(home)
                .setOccurredAt(MemberEvents.timestamp(T1))
                .setIdentifiers(Identifiers.newBuilder().setPhone("13912345678").setMemberNo("NO-" + run))).build()));
        List<ChurnScored> scores = new ArrayList<>();
        scores.add(scored(member, home, 0.95, 500.0, T1));
        for (int i = 0; i < 18; i++) {
            scores.add(scored("rcl-" + run + "-" + i, home, 0.10, 100.0, T1));
        }
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> {
            ChurnEvents.publish(kafka, scores);
            assertThat(callList(home, 0).getTasks(0).getMaskedPhone()).isEqualTo("139****5678");
        });
        CallTask task = callList(home, 0).getTasks(0);
        assertThat(task.getMemberNo()).isEqualTo("NO-" + run);
        var reveal = RevealContactRequest.newBuilder().setTaskId(task.getTaskId()).build();

        ManagedChannel homeChannel = channelAs(AuthTestResource.staff(home));
        ManagedChannel otherChannel = channelAs(AuthTestResource.staff("other-" + run));
        try {
            var homeStaff = CampaignServiceGrpc.newBlockingStub(homeChannel).withDeadlineAfter(10, TimeUnit.SECONDS);
            var otherStaff = CampaignServiceGrpc.newBlockingStub(otherChannel).withDeadlineAfter(10, TimeUnit.SECONDS);
            assertThat(catchThrowableOfType(StatusRuntimeException.class, () -> otherStaff.revealContact(reveal))
                    .getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
            RevealedContact contact = homeStaff.revealContact(reveal);
            assertThat(contact.getMemberId()).isEqualTo(member);
            assertThat(contact.getPhone()).isEqualTo("13912345678");

            homeStaff.recordOutcome(notReached(task));
            StatusRuntimeException closed = catchThrowableOfType(StatusRuntimeException.class,
                    () -> homeStaff.revealContact(reveal));
            assertThat(closed.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
            assertThat(closed.getStatus().getDescription()).isEqualTo("task " + task.getTaskId()
                    + " is done: its member's phone is revealed only while the task is open");
        } finally {
            homeChannel.shutdownNow();
            otherChannel.shutdownNow();
        }
    }

    private static RecordOutcomeRequest notReached(CallTask task) {
        return RecordOutcomeRequest.newBuilder().setTaskId(task.getTaskId()).setVersion(task.getVersion()).setReached(false)
                .setResult(io.memberpulse.proto.campaign.v1.OutcomeResult.OUTCOME_RESULT_NOT_REACHED).build();
    }

    /**
     * A stub generated while version was a plain int64 never sends 0: refusing an unset version refused every outcome
     * on an untouched task (version 0) from it. Unset reads as 0; a task changed since still conflicts.
     */
    @Test
    void anOutcomeWithoutTheTaskVersionIsForVersionZeroAndConflictsWithATaskChangedSince() {
        String run = ChurnEvents.run();
        String store = "v-" + run;
        String other = "w-" + run; // one call each: a store of one member has one
        ChurnEvents.publish(kafka, List.of(scored("v-" + run, store, 0.9, 50.0, T1), scored("w-" + run, other, 0.9, 40.0, T1)));
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> {
            assertThat(callList(store, 0).getTasksList()).hasSize(1);
            assertThat(callList(other, 0).getTasksList()).hasSize(1);
        });
        CallTask changed = callList(store, 0).getTasks(0);
        CallTask untouched = callList(other, 0).getTasks(0);
        database.preparedQuery("UPDATE call_task SET version = version + 1 WHERE id = $1")
                .execute(io.vertx.mutiny.sqlclient.Tuple.of(changed.getTaskId())).await().indefinitely();

        StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class, () -> campaigns.recordOutcome(
                withoutVersionOrReached(changed, io.memberpulse.proto.campaign.v1.OutcomeResult.OUTCOME_RESULT_WILL_RETURN)));
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.ABORTED);
        assertThat(e.getStatus().getDescription()).isEqualTo("task " + changed.getTaskId() + " changed since version 0 (now 1): re-read it");

        assertThat(untouched.getVersion()).isZero();
        assertThat(campaigns.recordOutcome(withoutVersionOrReached(untouched,
                io.memberpulse.proto.campaign.v1.OutcomeResult.OUTCOME_RESULT_NOT_REACHED)).getStatus())
                .isEqualTo(TaskStatus.TASK_STATUS_DONE);
        assertThat(database.preparedQuery("SELECT reached FROM task_outcome WHERE task_id = $1")
                .execute(io.vertx.mutiny.sqlclient.Tuple.of(untouched.getTaskId())).await().indefinitely()
                .iterator().next().getBoolean(0)).isFalse();
    }

    /** As a stub generated while reached and version were plain fields sends a "not reached" on version 0. */
    private static RecordOutcomeRequest withoutVersionOrReached(CallTask task,
            io.memberpulse.proto.campaign.v1.OutcomeResult result) {
        return RecordOutcomeRequest.newBuilder().setTaskId(task.getTaskId()).setResult(result).build();
    }

    /** The tasks beyond the store's call capacity (REST's guideMessages) travel over gRPC too, in the same order. */
    @Test
    void restAndGrpcListTheSameCallsAndGuideMessages() {
        String run = ChurnEvents.run();
        String store = "gm-" + run;
        // 30 members: three calls, one within a limit of 1 and two for shopping guides' messages.
        List<ChurnScored> scores = new ArrayList<>();
        scores.add(scored("a-" + run, store, 0.95, 100.0, T1));
        scores.add(scored("b-" + run, store, 0.90, 1000.0, T1));
        scores.add(scored("c-" + run, store, 0.85, 500.0, T1));
        for (int i = 0; i < 27; i++) {
            scores.add(scored("low-" + run + "-" + i, store, 0.10, 9000.0, T1));
        }
        ChurnEvents.publish(kafka, scores);
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> assertThat(callList(store, 0)
                .getTasksList()).hasSize(3));

        CallList grpc = callList(store, 1);
        var rest = given().queryParam("limit", 1).get("/stores/{s}/call-list", store).then().statusCode(200)
                .extract().jsonPath();
        assertThat(grpc.getTasksList()).extracting(CallTask::getMemberId).containsExactly("b-" + run)
                .isEqualTo(rest.getList("tasks.memberId", String.class));
        assertThat(grpc.getGuideMessagesList()).extracting(CallTask::getMemberId).containsExactly("c-" + run, "a-" + run)
                .isEqualTo(rest.getList("guideMessages.memberId", String.class));
        assertThat(grpc.getGuideMessages(0).getTalkingPointsList()).isEqualTo(rest.getList("guideMessages[0].talkingPoints", String.class));
    }

    @Test
    void aBlankStoreIsAnInvalidArgumentNamingTheField() {
        StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class, () -> callList("", 0));
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(e.getStatus().getDescription()).contains("store_id");

        StatusRuntimeException negative = catchThrowableOfType(StatusRuntimeException.class, () -> callList("any", -3));
        assertThat(negative.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(negative.getStatus().getDescription()).contains("limit");
    }

    /** A NUL reached PostgreSQL (INTERNAL); an id longer than any is one a status description should not quote back. */
    @Test
    void idsPostgresqlCannotTakeAreInvalidArgumentsNamingTheField() {
        invalid(() -> callList("s\u00001", 0), "store_id: must not contain control characters");
        invalid(() -> campaigns.getCampaignResults(GetCampaignResultsRequest.newBuilder().setCampaignId("c\u00001").build()),
                "campaign_id: must not contain control characters");
        invalid(() -> campaigns.getCampaignResults(GetCampaignResultsRequest.newBuilder().setCampaignId("c".repeat(129))
                .build()), "campaign_id: is 129 characters long, at most 128 are accepted");
        invalid(() -> campaigns.recordOutcome(RecordOutcomeRequest.newBuilder().setTaskId("t\u00001").setVersion(0)
                .setReached(false).setResult(io.memberpulse.proto.campaign.v1.OutcomeResult.OUTCOME_RESULT_NOT_REACHED)
                .build()), "task_id: must not contain control characters");
    }

    /** A note PostgreSQL cannot store (INTERNAL before), a follow-up in the past or years ahead: refused, the task open. */
    @Test
    void anOutcomesNoteAndFollowUpDateAreCheckedAndABadOneClosesNothing() {
        String run = ChurnEvents.run();
        String store = "n-" + run;
        ChurnEvents.publish(kafka, List.of(scored("n-" + run, store, 0.9, 50.0, T1)));
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> assertThat(callList(store, 0)
                .getTasksList()).hasSize(1));
        CallTask task = callList(store, 0).getTasks(0);
        RecordOutcomeRequest willReturn = RecordOutcomeRequest.newBuilder().setTaskId(task.getTaskId())
                .setVersion(task.getVersion()).setReached(true)
                .setResult(io.memberpulse.proto.campaign.v1.OutcomeResult.OUTCOME_RESULT_WILL_RETURN).build();

        invalid(() -> campaigns.recordOutcome(willReturn.toBuilder().setNote("comes\u0000back").build()),
                "note: must not contain control characters other than tab and line breaks");
        // The window is of day-zone's calendar (Asia/Shanghai in tests), where follow-ups are applied.
        LocalDate today = LocalDate.now(ZoneId.of("Asia/Shanghai"));
        invalid(() -> campaigns.recordOutcome(willReturn.toBuilder().setFollowUpDate("2016-01-01").build()),
                "follow_up_date: 2016-01-01 is outside " + today.minusDays(1) + ".." + today.plusDays(366)
                        + " (from yesterday to a year ahead)");
        invalid(() -> campaigns.recordOutcome(willReturn.toBuilder().setFollowUpDate("+20260-01-01").build()),
                "follow_up_date: +20260-01-01 is outside");
        assertThat(callList(store, 0).getTasks(0).getStatus()).isEqualTo(TaskStatus.TASK_STATUS_OPEN);

        // A note of several lines, with a follow-up next week, is an outcome like any other.
        assertThat(campaigns.recordOutcome(willReturn.toBuilder().setNote("comes back\n\tnext week")
                .setFollowUpDate(today.plusDays(7).toString()).build()).getStatus()).isEqualTo(TaskStatus.TASK_STATUS_DONE);
    }

    private static void invalid(Runnable call, String descriptionStart) {
        StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class, call::run);
        assertThat(e).as("refused").isNotNull();
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(e.getStatus().getDescription()).startsWith(descriptionStart);
    }

    @Test
    void anUnknownStoreIsNotFoundNamingIt() {
        String store = "nowhere-" + ChurnEvents.run();
        StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class, () -> callList(store, 0));
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
        assertThat(e.getStatus().getDescription()).contains(store);
    }

    @Test
    void anOutcomeForAnUnknownTaskIsNotFound() {
        StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class,
                () -> campaigns.recordOutcome(RecordOutcomeRequest.newBuilder().setTaskId("t-" + ChurnEvents.run())
                        .setVersion(0).setReached(false).setResult(io.memberpulse.proto.campaign.v1.OutcomeResult.OUTCOME_RESULT_NOT_REACHED)
                        .build()));
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
        assertThat(e.getStatus().getDescription()).contains("no task");
    }
}
