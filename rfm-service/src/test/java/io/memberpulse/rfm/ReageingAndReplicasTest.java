package io.memberpulse.rfm;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;

import com.google.protobuf.Timestamp;
import io.memberpulse.proto.identity.v1.ChannelEvent;
import io.memberpulse.proto.identity.v1.EventType;
import io.memberpulse.proto.identity.v1.MemberEvent;
import io.memberpulse.proto.identity.v1.OrderLine;
import io.memberpulse.proto.identity.v1.Source;
import io.memberpulse.proto.kafka.MemberEventDeserializer;
import io.memberpulse.proto.kafka.ProtobufSerdes;
import io.memberpulse.proto.kafka.Topics;
import io.memberpulse.proto.merges.IdentityChange;
import io.memberpulse.rfm.domain.Rfm;
import io.memberpulse.rfm.domain.RfmSnapshot;
import io.memberpulse.rfm.store.ChurnRiskRepository;
import io.memberpulse.rfm.store.IdentityChangeRepository;
import io.memberpulse.rfm.store.MemberRowRepository;
import io.memberpulse.rfm.store.RfmReadRepository;
import io.memberpulse.rfm.store.StreamClockRepository;
import io.memberpulse.rfm.store.RuleSegmentRepository;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Time-driven re-ageing through the in-memory state, and what keeps several replicas on one
 * database consistent: rule segments defined elsewhere are picked up, and the pass writes a row
 * only over the version it read.
 */
@QuarkusTest
class ReageingAndReplicasTest {
    static final Instant DAY0 = Instant.parse("2024-05-01T10:00:00Z");

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    @Inject
    MemberRowRepository memberRows;

    @Inject
    RfmReadRepository rfmReads;

    @Inject
    StreamClockRepository streamClock;

    @Inject
    RuleSegmentRepository rules;

    @Inject
    IdentityChangeRepository identities;

    @Inject
    RecomputeRfmService recompute;

    @Inject
    MemberRecomputation live;

    @Inject
    MemberStates states;

    @Inject
    RemovalsCleanup cleanup;

    @Inject
    ChurnRiskRepository risks;

    @Inject
    SegmentDefinitions definitions;

    @Inject
    io.vertx.mutiny.sqlclient.Pool pool;

    KafkaCompanion kafka;

    @BeforeEach
    void connect() {
        kafka = new KafkaCompanion(bootstrapServers);
        kafka.registerSerde(MemberEvent.class, ProtobufSerdes.of(new MemberEventDeserializer()));
    }

    @AfterEach
    void close() {
        kafka.close();
    }

    static MemberEvent order(String memberId, Instant at, double paid) {
        String orderId = memberId + "-" + at.getEpochSecond();
        return MemberEvent.newBuilder().setMemberId(memberId).setEvent(ChannelEvent.newBuilder()
                .setEventId(orderId).setSource(Source.SOURCE_POS).setType(EventType.EVENT_TYPE_ORDER)
                .setOccurredAt(Timestamp.newBuilder().setSeconds(at.getEpochSecond())).setStoreId("s-007")
                .setLine(OrderLine.newBuilder().setOrderId(orderId).setQuantity(1).setPaidAmount(paid))).build();
    }

    void send(MemberEvent event) {
        kafka.produce(String.class, MemberEvent.class)
                .fromRecords(new ProducerRecord<>(Topics.MEMBER_EVENTS, event.getMemberId(), event)).awaitCompletion();
    }

    MemberRowRepository.StoredRow awaitRow(String member) {
        await().atMost(Duration.ofSeconds(30)).until(() -> memberRows.rowsOf(List.of(member)).await().indefinitely().containsKey(member));
        return memberRows.rowsOf(List.of(member)).await().indefinitely().get(member);
    }

    /**
     * Writes rows as another replica does: with the segment definitions stored, whose version MemberRowRepository checks.
     * Returns the member ids written.
     */
    Set<String> writeAsAnotherReplica(List<MemberRowRepository.PassRow> rows, Instant updatedAt) {
        return memberRows.writeIfUnchanged(rows, updatedAt, List.of(), rules.version().await().indefinitely())
                .await().indefinitely();
    }

    Instant clock() {
        var clock = streamClock.watermark().await().indefinitely();
        if (clock.isPresent()) {
            return clock.get();
        }
        String first = "m-" + UUID.randomUUID();
        send(order(first, DAY0, 10));
        awaitRow(first);
        return streamClock.watermark().await().indefinitely().orElseThrow();
    }

    @Test
    void timeMovesRWithoutRewritingRowsWhoseWindowsDidNotMove() {
        Instant start = clock();
        String member = "m-" + UUID.randomUUID();
        Instant bought = start.minus(Duration.ofDays(25));
        send(order(member, bought, 50));
        MemberRowRepository.StoredRow written = awaitRow(member);
        assertThat(written.snapshot().segments()).contains("churn-edge", "stage:new");

        // Another member's event an hour later moves the clock; the pass re-ages everyone to it.
        String other = "m-" + UUID.randomUUID();
        send(order(other, start.plus(Duration.ofHours(1)), 20));
        awaitRow(other);
        recompute.backfill();
        Instant now = streamClock.watermark().await().indefinitely().orElseThrow();
        assertThat(now).isAfterOrEqualTo(start.plus(Duration.ofHours(1)));

        float expectedR = (float) Rfm.ageDays(bought, now);
        given().get("/members/" + member + "/rfm").then().statusCode(200)
                .body("rfm.asOf", equalTo(now.toString()))
                .body("rfm.recencyDays", equalTo(expectedR))
                .body("segments", hasItem("churn-edge"));
        RfmSnapshot read = rfmReads.snapshotsAfter(member.substring(0, member.length() - 1), 10).await().indefinitely()
                .stream().filter(s -> s.rfm().memberId().equals(member)).findFirst().orElseThrow();
        assertThat(read.rfm().recencyDays()).isCloseTo(Rfm.ageDays(bought, now), within(1e-9));
        assertThat(memberRows.rowsOf(List.of(member)).await().indefinitely().get(member).updatedAt())
                .as("only R moved: the row was not rewritten").isEqualTo(written.updatedAt());
    }

    @Test
    void thePassWritesARowOnlyOverTheVersionItReadAndNeverRecreatesAnAbsorbedMember() {
        String member = "m-" + UUID.randomUUID();
        send(order(member, clock().minus(Duration.ofDays(3)), 30));
        MemberRowRepository.StoredRow stored = awaitRow(member);
        Set<String> probe = new LinkedHashSet<>(stored.snapshot().segments());
        probe.add("probe");
        RfmSnapshot changed = new RfmSnapshot(stored.snapshot().rfm(), probe);
        Instant at = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MICROS);

        // Another replica wrote the row after this pass read it: the pass leaves it alone.
        Set<String> refused = writeAsAnotherReplica(List.of(new MemberRowRepository.PassRow(changed,
                stored.updatedAt().minusMillis(1))), at);
        assertThat(refused).isEmpty();
        assertThat(memberRows.rowsOf(List.of(member)).await().indefinitely().get(member).snapshot().segments()).doesNotContain("probe");

        Set<String> written = writeAsAnotherReplica(List.of(new MemberRowRepository.PassRow(changed, stored.updatedAt())), at);
        assertThat(written).containsExactly(member);
        assertThat(memberRows.rowsOf(List.of(member)).await().indefinitely().get(member).snapshot().segments()).contains("probe");

        // A member merged away while a stale replica still held it is not brought back.
        String survivor = "m-" + UUID.randomUUID();
        identities.apply(new IdentityChange.Merge(survivor, member, Instant.now())).await().indefinitely();
        memberRows.delete(List.of(member), List.of()).await().indefinitely();
        assertThat(writeAsAnotherReplica(List.of(new MemberRowRepository.PassRow(changed, null)), at)).isEmpty();
        assertThat(memberRows.rowsOf(List.of(member)).await().indefinitely()).isEmpty();
    }

    @Test
    void theLivePathWritesOverTheVersionItReadAndPublishesAgainstTheRowStored() {
        String member = "m-" + UUID.randomUUID();
        Instant now = clock();
        send(order(member, now.minus(Duration.ofDays(3)), 30));
        MemberRowRepository.StoredRow read = awaitRow(member);
        Map<String, MemberRowRepository.StoredRow> readHere = Map.of(member, read);

        // Between this replica's read and its write, another replica's pass put the member in "probe" and
        // published the entry.
        Set<String> probe = new LinkedHashSet<>(read.snapshot().segments());
        probe.add("probe");
        Set<String> passWrote = writeAsAnotherReplica(List.of(new MemberRowRepository.PassRow(
                new RfmSnapshot(read.snapshot().rfm(), probe), read.updatedAt())), Instant.now().truncatedTo(ChronoUnit.MICROS));
        assertThat(passWrote).containsExactly(member);

        MemberRecomputation.Written written = live.recompute(List.of(member), now, readHere);

        assertThat(written.changes()).as("the exit from the row the other replica stored is published")
                .anySatisfy(change -> {
                    assertThat(change.segmentId()).isEqualTo("probe");
                    assertThat(change.entered()).isFalse();
                });
        assertThat(written.changes()).as("every change is against the stored row")
                .allMatch(change -> change.entered() != probe.contains(change.segmentId()));
        assertThat(memberRows.rowsOf(List.of(member)).await().indefinitely().get(member).snapshot().segments())
                .doesNotContain("probe").containsExactlyInAnyOrderElementsOf(written.rows().get(0).snapshot().segments());
    }

    /**
     * A pass (here a backfill) lets the live path record between its rounds: it used to hold the service for its
     * whole length (68 to 85 s for a million members after a start), every batch, merge and churn score waiting on it.
     */
    @Test
    void aLiveBatchIsRecordedBetweenTheRoundsOfAPass() {
        Instant now = clock();
        String member = "m-" + UUID.randomUUID();
        send(order(member, now.minus(Duration.ofDays(3)), 30));
        MemberRowRepository.StoredRow stored = awaitRow(member);
        String buyer = "m-" + UUID.randomUUID();
        CompletableFuture<Void> recordedMidPass = new CompletableFuture<>();
        recompute.afterEachRound(() -> {
            if (recordedMidPass.isDone()) {
                return;
            }
            try { // the pass waits here for the batch: a pass holding the service meanwhile never sees it recorded
                CompletableFuture.supplyAsync(() -> recompute.record(List.of(order(buyer, now.minus(Duration.ofDays(2)), 40))))
                        .get(30, TimeUnit.SECONDS);
                recordedMidPass.complete(null);
            } catch (Exception e) {
                recordedMidPass.completeExceptionally(e);
            }
        });
        // Another replica put the member in "probe": this replica's next pass (a scheduled one too) takes them out
        // again, a row to write.
        Set<String> probe = new LinkedHashSet<>(stored.snapshot().segments());
        probe.add("probe");
        assertThat(writeAsAnotherReplica(List.of(new MemberRowRepository.PassRow(new RfmSnapshot(stored.snapshot().rfm(), probe),
                stored.updatedAt())), Instant.now().truncatedTo(ChronoUnit.MICROS))).containsExactly(member);
        try {
            recompute.backfill();
        } finally {
            recompute.afterEachRound(() -> {
            });
        }

        assertThat(recordedMidPass).as("a live batch recorded while the pass was between rounds").isCompleted();
        assertThat(memberRows.rowsOf(List.of(buyer)).await().indefinitely()).containsKey(buyer);
        assertThat(memberRows.rowsOf(List.of(member)).await().indefinitely().get(member).snapshot().segments())
                .doesNotContain("probe");
        assertThat(states.all().get(buyer).row()).as("the live path's row held for the next pass").isNotNull();
    }

    @Test
    void aMemberMergedAwayOnAnotherReplicaLeavesThisReplicasStateAtTheNextPass() {
        String member = "m-" + UUID.randomUUID();
        send(order(member, clock().minus(Duration.ofDays(2)), 40));
        awaitRow(member);
        recompute.backfill(); // this replica's state holds the member and its row
        assertThat(states.all().get(member)).isNotNull().extracting(MemberStates.State::row).isNotNull();

        // Another replica applies a merge: the facts move to the survivor and the absorbed member's row is removed.
        String survivor = "m-" + UUID.randomUUID();
        identities.apply(new IdentityChange.Merge(survivor, member, Instant.now())).await().indefinitely();
        memberRows.delete(List.of(member), List.of()).await().indefinitely();

        recompute.backfill();
        assertThat(states.all().keySet()).as("no longer counted in this replica's segment sizes").doesNotContain(member);
    }

    @Test
    void removalsAreForgottenOnlyOnceOlderThanTheyAreKept() {
        String member = "m-" + UUID.randomUUID();
        send(order(member, clock().minus(Duration.ofDays(2)), 40));
        awaitRow(member);
        Instant before = Instant.now().minusSeconds(60);
        memberRows.delete(List.of(member), List.of()).await().indefinitely();

        cleanup.forgetOlderThanKept(Instant.now()).await().indefinitely();
        assertThat(memberRows.removedSince(before).await().indefinitely()).as("a fresh removal is kept").contains(member);

        cleanup.forgetOlderThanKept(Instant.now().plus(RemovalsCleanup.KEPT).plusSeconds(60)).await().indefinitely();
        assertThat(memberRows.removedSince(before).await().indefinitely()).as("a week later it is forgotten")
                .doesNotContain(member);
    }

    @Test
    void aRuleDefinedElsewhereIsEvaluatedHereOnTheChurnScoresRecordedWhileNoRuleNeededThem() {
        String member = "m-" + UUID.randomUUID();
        send(order(member, clock().minus(Duration.ofDays(2)), 4_321));
        awaitRow(member);
        recompute.backfill(); // held in this replica's state from here on
        // Scored while no rule tested churn: stored in PostgreSQL only, this replica's state not told (RecordChurnRiskService).
        risks.upsertUnlessAbsorbed(pool, List.of(new ChurnRiskRepository.Risk(member, 0.93, Instant.now()))).await().indefinitely();
        String segment = "risky-" + UUID.randomUUID().toString().substring(0, 8);
        // Defined on another replica, which backfilled with fresh scores; this one only polls the definition.
        rules.insert(new RuleSegmentRepository.StoredRule(segment, "Risky, defined elsewhere",
                "churn_scored && churn_probability >= 0.9 && monetary_net_total == 4321.0"), Instant.now()).await().indefinitely();
        await().atMost(Duration.ofSeconds(60)).until(() -> definitions.ids().contains(segment)); // polled here

        // This replica's next re-ageing pass (RfmClock, once the clock moved and the stream is quiet) evaluates it on the score.
        String other = "m-" + UUID.randomUUID();
        send(order(other, clock().plus(Duration.ofMinutes(1)), 5));
        awaitRow(other);
        try {
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().get("/members/" + member + "/rfm").then()
                    .statusCode(200).body("segments", hasItem(segment)));
        } finally {
            rules.delete(segment, Instant.now()).await().indefinitely();
        }
    }

    @Test
    void aSegmentDefinedOnAnotherReplicaIsEvaluatedHereWithoutARestart() {
        String segment = "elsewhere-" + UUID.randomUUID().toString().substring(0, 8);
        // Another replica stores its definition in the shared database; this one was never told.
        rules.insert(new RuleSegmentRepository.StoredRule(segment, "Defined elsewhere", "monetary_net_total >= 12345.0"),
                Instant.now()).await().indefinitely();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().get("/segments").then().body("id", hasItem(segment)));

        String member = "m-" + UUID.randomUUID();
        send(order(member, clock(), 12_345));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().get("/members/" + member + "/rfm")
                .then().statusCode(200).body("segments", hasItem(segment)));

        // Changed, then retired, elsewhere: this replica follows.
        rules.update(new RuleSegmentRepository.StoredRule(segment, "Changed elsewhere", "monetary_net_total >= 99999.0"), Instant.now())
                .await().indefinitely();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().get("/segments").then()
                .body("find { it.id == '%s' }.rule".formatted(segment), equalTo("monetary_net_total >= 99999.0")));
        rules.delete(segment, Instant.now()).await().indefinitely();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().get("/segments").then().body("id", not(hasItem(segment))));
    }

    @Test
    void thresholdsChangedOnAnotherReplicaApplyHere() {
        var potential = new RuleSegmentRepository.StoredThresholds("potential", 11, 2, 350);
        rules.saveThresholds(potential, Instant.now()).await().indefinitely();
        try {
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().get("/segments").then()
                    .body("find { it.id == 'potential' }.rule", equalTo("R <= 11d and wF30 >= 2 and M30 >= 350 and not high-value-active")));
        } finally {
            rules.saveThresholds(new RuleSegmentRepository.StoredThresholds("potential", 12, 3, 400), Instant.now())
                    .await().indefinitely();
        }
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().get("/segments").then()
                .body("find { it.id == 'potential' }.rule", equalTo("R <= 12d and wF30 >= 3 and M30 >= 400 and not high-value-active")));
    }
}
