package io.memberpulse.churn.stream.in;

import static io.memberpulse.churn.ScoringFixture.WAIT;
import static io.memberpulse.churn.ScoringFixture.timestamp;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.memberpulse.churn.ChurnConfig;
import io.memberpulse.churn.ScoringFixture;
import io.memberpulse.churn.domain.ChurnScore;
import io.memberpulse.churn.store.ScoreCache;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.memberpulse.churn.store.ModelInputRepository;
import io.memberpulse.churn.store.ScoreRepository;
import io.memberpulse.churn.store.StreamClockRepository;
import io.memberpulse.churn.stream.out.ChurnScorePublisher;
import io.memberpulse.proto.churn.v1.ChurnScored;
import io.memberpulse.proto.identity.v1.ChannelEvent;
import io.memberpulse.proto.identity.v1.EventType;
import io.memberpulse.proto.identity.v1.MemberEvent;
import io.memberpulse.proto.identity.v1.MemberIdentityChange;
import io.memberpulse.proto.identity.v1.MemberMerged;
import io.memberpulse.proto.identity.v1.MemberSplit;
import io.memberpulse.proto.identity.v1.OrderLine;
import io.memberpulse.proto.identity.v1.Source;
import io.memberpulse.proto.identity.v1.SplitPart;
import io.memberpulse.proto.kafka.Topics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusMock;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.memberpulse.churn.domain.features.Activity;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * churn.scores: a member whose stored score no longer holds, for a reason campaign-service and rfm-service cannot read
 * from member.merges, is withdrawn with a tombstone (their key, no value); a member a merge absorbed is not.
 */
@QuarkusTest
class ScoreWithdrawalTest {
    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    @Inject
    ModelInputRepository inputs;

    @Inject
    ScoreRepository storedScores;

    @Inject
    StreamClockRepository streamClock;

    @Inject
    ChurnScorePublisher publisher;

    @Inject
    Pool pool;

    @Inject
    MeterRegistry registry;

    @Inject
    ReactiveRedisDataSource redis;

    @Inject
    ObjectMapper mapper;

    @Inject
    ChurnConfig config;

    ScoringFixture kafka;
    String run;
    String store;
    Instant now;

    @BeforeEach
    void connect() {
        kafka = new ScoringFixture(bootstrapServers);
        kafka.consumeScores();
        run = ScoringFixture.runId();
        store = "withdraw-" + run;
        now = ScoringFixture.now(streamClock);
    }

    @AfterEach
    void close() {
        kafka.close();
    }

    @Test
    void aMemberASplitLeavesWithoutPurchasesIsWithdrawn() {
        String original = "o-" + run;
        String part = "p-" + run;
        produce(Topics.MEMBER_EVENTS, original, order(original, original + "-0", days(-40)),
                order(original, original + "-1", days(-20)));
        awaitScoreOf(original);

        // Every order was the other person's: the split gives them all to the part.
        produce(Topics.MEMBER_MERGES, original, MemberIdentityChange.newBuilder().setSplit(MemberSplit.newBuilder()
                .setOriginalMemberId(original).setReason("two people").setSplitAt(timestamp(Instant.now()))
                .addParts(SplitPart.newBuilder().setMemberId(part)
                        .addEventKeys("pos:" + original + "-0").addEventKeys("pos:" + original + "-1"))).build());

        await().atMost(WAIT).until(() -> tombstoneOf(original));
        given().get("/members/" + original + "/score").then().statusCode(404);
        awaitScoreOf(part);
        assertThat(tombstoneOf(part)).isFalse();
    }

    @Test
    void aMemberWhoseEveryOrderIsRefundedIsWithdrawnAndANewOrderScoresThemAgain() {
        String member = "r-" + run;
        produce(Topics.MEMBER_EVENTS, member, order(member, member + "-0", days(-30)));
        awaitScoreOf(member);
        double withdrawnBefore = withdrawals("no-purchase");

        produce(Topics.MEMBER_EVENTS, member, refund(member, member + "-0", days(-29)));

        await().atMost(WAIT).until(() -> tombstoneOf(member));
        given().get("/members/" + member + "/score").then().statusCode(404);
        // Counted once acknowledged, and scraped under its Prometheus name.
        await().atMost(WAIT).until(() -> withdrawals("no-purchase") == withdrawnBefore + 1);
        assertThat(scraped("memberpulse_churn_scores_withdrawn_total{reason=\"no-purchase\"}"))
                .isGreaterThanOrEqualTo(withdrawnBefore + 1);

        // Bought again: scored and published again, after the tombstone.
        produce(Topics.MEMBER_EVENTS, member, order(member, member + "-1", days(-1)));
        await().atMost(WAIT).untilAsserted(() -> {
            List<ConsumerRecord<String, ChurnScored>> mine = recordsOf(member);
            assertThat(mine).isNotEmpty();
            assertThat(mine.get(mine.size() - 1).value()).isNotNull();
            assertThat(mine.stream().filter(r -> r.value() == null)).hasSize(1);
        });
    }

    @Test
    void aMemberAMergeAbsorbedIsNotWithdrawn() {
        String absorbed = "a-" + run;
        String survivor = "s-" + run;
        produce(Topics.MEMBER_EVENTS, absorbed, order(absorbed, absorbed + "-0", days(-30)));
        produce(Topics.MEMBER_EVENTS, survivor, order(survivor, survivor + "-0", days(-90)));
        awaitScoreOf(absorbed);
        awaitScoreOf(survivor);
        long survivorScores = recordsOf(survivor).size();

        produce(Topics.MEMBER_MERGES, absorbed, MemberIdentityChange.newBuilder().setMerged(MemberMerged.newBuilder()
                .setAbsorbedMemberId(absorbed).setSurvivingMemberId(survivor).setRule("phone").setScore(1)
                .setMergedAt(timestamp(Instant.now()))).build());

        // The survivor's score (both histories) is published and the absorbed member's deleted, in one scoring.
        await().atMost(WAIT).untilAsserted(() -> given().get("/members/" + absorbed + "/score").then().statusCode(404));
        await().atMost(WAIT).until(() -> recordsOf(survivor).size() > survivorScores);
        // member.merges tells campaign-service and rfm-service; a tombstone would race the merge there.
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5)).until(() -> !tombstoneOf(absorbed));
    }

    @Test
    void aWithdrawalWhoseSendFailedIsSentLaterWhileTheScoreStaysStored() {
        String original = "f-" + run;
        String part = "fp-" + run;
        produce(Topics.MEMBER_EVENTS, original, order(original, original + "-0", days(-30)));
        awaitScoreOf(original);
        FailingWithdrawal withdrawal = failFirstWithdrawalOf(original);
        double withdrawnBefore = withdrawals("identity-change") + withdrawals("no-purchase");

        // Without a clock a split re-scores nobody: everyone it involves is forgotten, and the original member, who
        // has a score, withdrawn. The clock is taken away for the split alone (a service that has recorded no
        // member.events yet), then put back for the other tests.
        withoutClock(() -> {
            produce(Topics.MEMBER_MERGES, original, MemberIdentityChange.newBuilder().setSplit(MemberSplit.newBuilder()
                    .setOriginalMemberId(original).setReason("two people").setSplitAt(timestamp(Instant.now()))
                    .addParts(SplitPart.newBuilder().setMemberId(part).addEventKeys("pos:" + original + "-0"))).build());
            // The failed withdrawal no longer fails the batch (retried until it went through, it held member.merges
            // as long as the broker stayed away, past the 10 minutes a record may wait): the score stays stored,
            // marked unpublished, and nothing sends it while there is no clock to score the member as of.
            await().atMost(WAIT).until(() -> unpublished(original));
            assertThat(withdrawal.failed).isTrue();
            assertThat(tombstoneOf(original)).isFalse();
        });

        // With the clock back, a tick scores the member again (publishUnpublished): no purchase left, withdrawn, and
        // only then deleted.
        await().atMost(WAIT).until(() -> tombstoneOf(original));
        assertThat(withdrawal.storedWhenSentAgain).isTrue();
        // One tombstone went out: the send that failed is not counted (the later one counts as "no-purchase").
        await().atMost(WAIT).until(() -> withdrawals("identity-change") + withdrawals("no-purchase") == withdrawnBefore + 1);
        await().atMost(WAIT).untilAsserted(() -> given().get("/members/" + original + "/score").then().statusCode(404));
        assertThat(storedScores.score(original).await().indefinitely()).isEmpty();
    }

    /** Whether the member's stored score is one churn.scores has not acknowledged. */
    private boolean unpublished(String member) {
        return pool.preparedQuery("SELECT published_at IS NULL FROM churn_score WHERE member_id = $1")
                .execute(io.vertx.mutiny.sqlclient.Tuple.of(member)).await().indefinitely().stream()
                .anyMatch(row -> row.getBoolean(0));
    }

    @Test
    void aWithdrawnScoreWhoseRemovalFromRedisFailedIsNotServedAndIsRepaired() {
        String member = "rf-" + run;
        produce(Topics.MEMBER_EVENTS, member, order(member, member + "-0", days(-30)));
        awaitScoreOf(member);
        given().get("/stores/" + store + "/top-risk?k=5").then().statusCode(200).body("memberId", hasItem(member));
        AtomicBoolean failed = failFirstCacheRemovalOf(member);

        // Every order refunded: withdrawn and deleted from PostgreSQL, then Redis does not answer the removal. The
        // member is recorded as missed (read from PostgreSQL meanwhile) and the next tick's repair takes it out of Redis.
        produce(Topics.MEMBER_EVENTS, member, refund(member, member + "-0", days(-29)));

        await().atMost(WAIT).until(() -> tombstoneOf(member));
        await().atMost(WAIT).until(failed::get);
        await().atMost(WAIT).untilAsserted(() -> given().get("/members/" + member + "/score").then().statusCode(404));
        given().get("/stores/" + store + "/top-risk?k=5").then().statusCode(200).body("memberId", not(hasItem(member)));
    }

    /** Redis fails the first removal that holds the member, as a connection lost at that moment; the rest go through. */
    private AtomicBoolean failFirstCacheRemovalOf(String member) {
        AtomicBoolean failed = new AtomicBoolean();
        QuarkusMock.installMockForType(new ScoreCache(redis, mapper, config) {
            @Override
            public Uni<Void> removeAll(Collection<String> memberIds, Collection<ChurnScore> removed) {
                if (memberIds.contains(member) && failed.compareAndSet(false, true)) {
                    return Uni.createFrom().failure(new IllegalStateException("Redis did not answer (test)"));
                }
                return super.removeAll(memberIds, removed);
            }
        }, ScoreCache.class);
        return failed;
    }

    /** The withdrawal of a member: whether its first send failed, and whether the score was stored when sent again. */
    private static final class FailingWithdrawal {
        volatile boolean failed;
        volatile boolean storedWhenSentAgain;
    }

    /**
     * The publisher fails the first withdrawal that holds the member, as a broker that never acknowledged it; every
     * other send goes to churn.scores.
     */
    private FailingWithdrawal failFirstWithdrawalOf(String member) {
        FailingWithdrawal withdrawal = new FailingWithdrawal();
        AtomicBoolean first = new AtomicBoolean(true);
        QuarkusMock.installMockForType(new ScoringFixture.RelayingPublisher(publisher) {
            @Override
            public Uni<Void> withdraw(Collection<String> memberIds) {
                if (memberIds.contains(member)) {
                    if (first.compareAndSet(true, false)) {
                        withdrawal.failed = true;
                        return Uni.createFrom().failure(new IllegalStateException("churn.scores did not acknowledge (test)"));
                    }
                    // Called on the scoring's worker thread, as the service's own reads are.
                    withdrawal.storedWhenSentAgain = storedScores.score(member).await().indefinitely().isPresent();
                }
                return super.withdraw(memberIds);
            }
        }, ChurnScorePublisher.class);
        return withdrawal;
    }

    /** Runs the work with no event-time clock stored, and puts the clock back afterwards. */
    private void withoutClock(Runnable work) {
        Instant clock = streamClock.watermark().await().indefinitely().orElseThrow();
        pool.query("DELETE FROM stream_clock").execute().await().indefinitely();
        try {
            work.run();
        } finally {
            streamClock.advanceWatermark(clock).await().indefinitely();
        }
    }

    /** memberpulse.churn.scores.withdrawn of the reason, as the registry counts it. */
    private double withdrawals(String reason) {
        Counter counter = registry.find("memberpulse.churn.scores.withdrawn").tag("reason", reason).counter();
        return counter == null ? 0 : counter.count();
    }

    /** A sample's value as /q/metrics serves it (Prometheus text format). */
    private static double scraped(String sample) {
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        Matcher value = Pattern.compile("(?m)^" + Pattern.quote(sample) + " (\\S+)$").matcher(metrics);
        assertThat(value.find()).as("%s in /q/metrics", sample).isTrue();
        return Double.parseDouble(value.group(1));
    }

    private void awaitScoreOf(String member) {
        await().atMost(WAIT).until(() -> recordsOf(member).stream().anyMatch(r -> r.value() != null));
    }

    private boolean tombstoneOf(String member) {
        return recordsOf(member).stream().anyMatch(r -> r.value() == null);
    }

    private List<ConsumerRecord<String, ChurnScored>> recordsOf(String member) {
        return kafka.scoresOf(member);
    }

    private void produce(String topic, String key, com.google.protobuf.MessageLite... messages) {
        kafka.produce(topic, key, messages);
    }

    private MemberEvent order(String member, String eventId, Instant at) {
        return ScoringFixture.order(member, eventId, at, store);
    }

    @Test
    void aRefundAtTheTillOfACopyOfADeliveryOrderTakesBackTheCountedOrder() {
        String member = "d-" + run;
        MemberEvent delivery = order(member, member + "-d", days(-30));
        delivery = delivery.toBuilder().setEvent(delivery.getEvent().toBuilder().setSource(Source.SOURCE_DELIVERY)).build();
        // the till rang the delivery order up again: flagged on arrival, never counted
        MemberEvent copy = order(member, member + "-t", days(-30)).toBuilder().setDuplicateOrder(true)
                .setNeverCounted(true).build();
        produce(Topics.MEMBER_EVENTS, member, delivery, copy);
        awaitScoreOf(member);

        // a partial refund at the till, naming the till's order, which identity maps to the delivery order; sent twice
        MemberEvent partial = tillRefund(member, member + "-r1", member + "-t-o", member + "-d-o", days(-29), 10);
        produce(Topics.MEMBER_EVENTS, member, partial, partial);
        await().atMost(WAIT).untilAsserted(() -> assertThat(inputs.purchasesOf(List.of(member)).await().indefinitely()
                .get(member)).filteredOn(p -> p.refund())
                .extracting(p -> p.orderId() + " " + p.amount()).containsExactly("delivery:" + member + "-d-o -10.0"));
        assertThat(tombstoneOf(member)).isFalse();

        // the rest, published first without the counted order (the copy was flagged only later), then with it
        produce(Topics.MEMBER_EVENTS, member, tillRefund(member, member + "-r2", member + "-t-o", null, days(-28), 20));
        produce(Topics.MEMBER_EVENTS, member, tillRefund(member, member + "-r2", member + "-t-o", member + "-d-o",
                days(-28), 20));
        await().atMost(WAIT).until(() -> tombstoneOf(member));
        assertThat(inputs.purchasesOf(List.of(member)).await().indefinitely().get(member)).filteredOn(p -> p.refund())
                .extracting(p -> p.orderId()).containsOnly("delivery:" + member + "-d-o").hasSize(2);
    }

    /**
     * A refund and a review moved to the delivery order while the till's order was all copy come back once a line of
     * the till's own arrives and identity-service publishes them again naming the till's order: the delivery order is
     * a purchase again.
     */
    @Test
    void aRefundAndAReviewMovedToTheCountedOrderComeBackWhenTheTillsOrderCountsAgain() {
        String member = "b-" + run;
        MemberEvent delivery = order(member, member + "-d", days(-30));
        delivery = delivery.toBuilder().setEvent(delivery.getEvent().toBuilder().setSource(Source.SOURCE_DELIVERY)).build();
        MemberEvent copy = order(member, member + "-t", days(-30)).toBuilder().setDuplicateOrder(true)
                .setNeverCounted(true).build();
        produce(Topics.MEMBER_EVENTS, member, delivery, copy);
        awaitScoreOf(member);
        MemberEvent review = MemberEvent.newBuilder().setMemberId(member).setEvent(ChannelEvent.newBuilder()
                .setEventId(member + "-v").setSource(Source.SOURCE_POS).setType(EventType.EVENT_TYPE_REVIEW)
                .setOccurredAt(timestamp(days(-29))).setStoreId(store)
                .setReview(io.memberpulse.proto.identity.v1.Review.newBuilder().setRating(2))
                .setLine(OrderLine.newBuilder().setOrderId(member + "-t-o"))).build();
        io.memberpulse.proto.identity.v1.OrderRef deliveryOrder = io.memberpulse.proto.identity.v1.OrderRef.newBuilder()
                .setSource(Source.SOURCE_DELIVERY).setOrderId(member + "-d-o").build();
        produce(Topics.MEMBER_EVENTS, member, tillRefund(member, member + "-r", member + "-t-o", member + "-d-o",
                days(-29), 30), review.toBuilder().setCountedOrder(deliveryOrder).build());
        await().atMost(WAIT).until(() -> tombstoneOf(member));

        // a line the delivery order did not hold, counted on its own; the refund and review named the till's order again
        MemberEvent own = order(member, member + "-t2", days(-30));
        own = own.toBuilder().setEvent(own.getEvent().toBuilder().setLine(own.getEvent().getLine().toBuilder()
                .setOrderId(member + "-t-o"))).build();
        io.memberpulse.proto.identity.v1.OrderRef tillOrder = io.memberpulse.proto.identity.v1.OrderRef.newBuilder()
                .setSource(Source.SOURCE_POS).setOrderId(member + "-t-o").build();
        produce(Topics.MEMBER_EVENTS, member, own, tillRefund(member, member + "-r", member + "-t-o", null, days(-29), 30)
                .toBuilder().setCountedOrder(tillOrder).build(), review.toBuilder().setCountedOrder(tillOrder).build());
        await().atMost(WAIT).untilAsserted(() -> assertThat(inputs.activitiesOf(List.of(member)).await().indefinitely()
                .get(member)).filteredOn(a -> a.kind() == Activity.Kind.REFUND || a.kind() == Activity.Kind.REVIEW)
                .extracting(a -> a.kind() + " " + a.channel() + ":" + a.orderId())
                .containsExactlyInAnyOrder("REFUND pos:" + member + "-t-o", "REVIEW pos:" + member + "-t-o"));
        await().atMost(WAIT).untilAsserted(() -> {
            List<ConsumerRecord<String, ChurnScored>> mine = recordsOf(member);
            assertThat(mine.get(mine.size() - 1).value()).as("scored again: the delivery order counts").isNotNull();
        });
    }

    /** A refund at the till of its order {@code tillOrder}, counted as {@code deliveryOrder} when that is not null. */
    private MemberEvent tillRefund(String member, String eventId, String tillOrder, String deliveryOrder, Instant at,
            double amount) {
        MemberEvent.Builder refund = MemberEvent.newBuilder().setMemberId(member).setEvent(ChannelEvent.newBuilder()
                .setEventId(eventId).setSource(Source.SOURCE_POS).setType(EventType.EVENT_TYPE_REFUND)
                .setOccurredAt(timestamp(at)).setStoreId(store)
                .setLine(OrderLine.newBuilder().setOrderId(tillOrder).setRefundAmount(amount)));
        if (deliveryOrder != null) {
            refund.setCountedOrder(io.memberpulse.proto.identity.v1.OrderRef.newBuilder()
                    .setSource(Source.SOURCE_DELIVERY).setOrderId(deliveryOrder));
        }
        return refund.build();
    }

    /** The whole order of {@code orderEventId} refunded. */
    private MemberEvent refund(String member, String orderEventId, Instant at) {
        return MemberEvent.newBuilder().setMemberId(member).setEvent(ChannelEvent.newBuilder()
                .setEventId(orderEventId + "-refund").setSource(Source.SOURCE_POS).setType(EventType.EVENT_TYPE_REFUND)
                .setOccurredAt(timestamp(at)).setStoreId(store)
                .setLine(OrderLine.newBuilder().setOrderId(orderEventId + "-o").setQuantity(1).setRefundAmount(30)))
                .build();
    }

    private Instant days(int offset) {
        return now.plus(Duration.ofDays(offset));
    }
}
