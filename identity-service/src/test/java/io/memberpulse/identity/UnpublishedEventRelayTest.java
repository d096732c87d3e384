package io.memberpulse.identity;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import io.memberpulse.identity.store.OtherInstance;
import io.memberpulse.identity.store.WriterLock;
import io.memberpulse.proto.identity.v1.MemberEvent;
import io.memberpulse.proto.identity.v1.MemberIdentityChange;
import io.memberpulse.proto.identity.v1.MemberMerged;
import io.memberpulse.proto.kafka.MemberEventDeserializer;
import io.memberpulse.proto.kafka.ProtobufSerdes;
import io.memberpulse.proto.kafka.Topics;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.reactive.messaging.kafka.companion.ConsumerTask;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import io.vertx.core.buffer.Buffer;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/** Publication is tracked per batch: what the broker acknowledged is struck off, the rest is relayed. */
@QuarkusTest
class UnpublishedEventRelayTest {
    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    @Inject
    Pool pool;

    @Inject
    UnpublishedEventRelay relay;

    @Inject
    WriterLock lock;

    @Inject
    Vertx vertx;

    @Test
    void anAcknowledgedImportLeavesNothingToRelayAndAnUnacknowledgedBatchIsPublishedAgainInOrder() {
        String run = UUID.randomUUID().toString().substring(0, 8);
        String csv = """
                event_id,source,type,occurred_at,store_id,member_no,order_id,quantity,paid_amount
                r1-%1$s,pos,order,2025-03-01T09:00:00+08:00,s-%1$s,m-%1$s,o1-%1$s,1,10.00
                r2-%1$s,pos,order,2025-03-01T09:05:00+08:00,s-%1$s,m-%1$s,o2-%1$s,1,12.00
                """.formatted(run);
        given().contentType("text/csv").body(csv).post("/events/csv").then().statusCode(200).body("accepted", equalTo(2));
        assertThat(batchesNaming("r1-" + run)).as("acknowledged by the broker before the import answered").isZero();

        // as a broker outage would leave it: stored, listed as unacknowledged, accepted a while ago
        pool.preparedQuery("INSERT INTO unpublished_batch (accepted_at, sources, event_ids) VALUES ($1, $2, $3)")
                .execute(Tuple.of(OffsetDateTime.now().minusMinutes(10), new String[] {"pos", "pos"},
                        new String[] {"r2-" + run, "r1-" + run}))
                .await().indefinitely();
        try (KafkaCompanion kafka = new KafkaCompanion(bootstrapServers)) {
            kafka.registerSerde(MemberEvent.class, ProtobufSerdes.of(new MemberEventDeserializer()));
            ConsumerTask<String, MemberEvent> published = kafka.consume(String.class, MemberEvent.class)
                    .fromTopics(Topics.MEMBER_EVENTS);
            Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                relay.relay();
                // the import's two records, then the relayed two in the batch's order (the scheduled
                // relay may have sent the batch once more meanwhile: re-delivery is harmless)
                assertThat(published.getRecords().stream().map(r -> r.value().getEvent().getEventId())
                        .filter(id -> id.endsWith(run)).toList())
                        .startsWith("r1-" + run, "r2-" + run, "r2-" + run, "r1-" + run);
            });
            published.stop();
            assertThat(published.getRecords().stream().filter(r -> r.value().getEvent().getEventId().endsWith(run))
                    .map(r -> r.key()).distinct().toList()).as("all under the member, as imported").hasSize(1);
        }
        assertThat(batchesNaming("r1-" + run)).as("struck off once relayed").isZero();
    }

    /**
     * A refund at the till naming its copy of a delivery order, left unacknowledged: relayed, it names the counted
     * order again (looked up as stored now), or consumers would keep taking it back from the till's copy.
     */
    @Test
    void aRelayedRefundOfAFlaggedCopyNamesTheCountedOrder() {
        String run = UUID.randomUUID().toString().substring(0, 8);
        String header = "event_id,source,type,occurred_at,store_id,member_no,order_id,sku,quantity,paid_amount\n";
        postCsv(header.replace(",member_no,", ",platform_uid,"), """
                dy1-%1$s,delivery,order,2025-10-03T19:23:10+08:00,sy-%1$s,DY-%1$s,MY-%1$s,6901,1,100.11
                dy2-%1$s,delivery,order,2025-10-03T19:23:10+08:00,sy-%1$s,DY-%1$s,MY-%1$s,6902,6,137.40
                """.formatted(run), 2);
        postCsv(header, """
                ty1-%1$s,pos,order,2025-10-03T19:30:28+08:00,sy-%1$s,TY-%1$s,SY-%1$s,6901,1,100.11
                ty2-%1$s,pos,order,2025-10-03T19:30:28+08:00,sy-%1$s,TY-%1$s,SY-%1$s,6902,6,137.40
                """.formatted(run), 2);
        postCsv("event_id,source,type,occurred_at,store_id,member_no,order_id,refund_amount\n",
                "ry-%1$s,pos,refund,2025-10-04T10:00:00+08:00,sy-%1$s,TY-%1$s,SY-%1$s,237.51\n".formatted(run), 1);
        pool.preparedQuery("INSERT INTO unpublished_batch (accepted_at, sources, event_ids) VALUES ($1, $2, $3)")
                .execute(Tuple.of(OffsetDateTime.now().minusMinutes(10), new String[] {"pos"}, new String[] {"ry-" + run}))
                .await().indefinitely();
        try (KafkaCompanion kafka = new KafkaCompanion(bootstrapServers)) {
            kafka.registerSerde(MemberEvent.class, ProtobufSerdes.of(new MemberEventDeserializer()));
            ConsumerTask<String, MemberEvent> published = kafka.consume(String.class, MemberEvent.class)
                    .fromTopics(Topics.MEMBER_EVENTS);
            Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                relay.relay();
                // the import's publication, then the relay's (the scheduled relay may have sent it once more)
                assertThat(published.getRecords().stream().filter(r -> r.value().getEvent().getEventId().equals("ry-" + run))
                        .count()).isGreaterThanOrEqualTo(2);
            });
            published.stop();
            assertThat(published.getRecords()).filteredOn(r -> r.value().getEvent().getEventId().equals("ry-" + run))
                    .extracting(r -> r.value().getCountedOrder().getSource() + " " + r.value().getCountedOrder().getOrderId())
                    .containsOnly("SOURCE_DELIVERY MY-" + run);
        }
        assertThat(batchesNaming("ry-" + run)).as("struck off once relayed").isZero();
    }

    /**
     * A refund left unacknowledged, then published again by an import that changed its counted order (a line of the
     * till's copy counted on its own: the refund comes back to that order), then relayed: consumers keep the
     * publication with the greatest publication_version, which must name the order as stored when the relay sent it.
     */
    @Test
    void aRelayedRefundNamesTheCountedOrderAsStoredWhenSentUnderTheGreatestVersion() {
        String run = UUID.randomUUID().toString().substring(0, 8);
        String header = "event_id,source,type,occurred_at,store_id,member_no,order_id,sku,quantity,paid_amount\n";
        postCsv(header.replace(",member_no,", ",platform_uid,"), """
                dz1-%1$s,delivery,order,2025-10-03T19:23:10+08:00,sz-%1$s,DZ-%1$s,MZ-%1$s,6901,1,100.11
                dz2-%1$s,delivery,order,2025-10-03T19:23:10+08:00,sz-%1$s,DZ-%1$s,MZ-%1$s,6902,6,137.40
                """.formatted(run), 2);
        postCsv(header, """
                tz1-%1$s,pos,order,2025-10-03T19:30:28+08:00,sz-%1$s,TZ-%1$s,SZ-%1$s,6901,1,100.11
                tz2-%1$s,pos,order,2025-10-03T19:30:28+08:00,sz-%1$s,TZ-%1$s,SZ-%1$s,6902,6,137.40
                """.formatted(run), 2);
        postCsv("event_id,source,type,occurred_at,store_id,member_no,order_id,refund_amount\n",
                "rz-%1$s,pos,refund,2025-10-04T10:00:00+08:00,sz-%1$s,TZ-%1$s,SZ-%1$s,237.51\n".formatted(run), 1);
        try (KafkaCompanion kafka = new KafkaCompanion(bootstrapServers)) {
            kafka.registerSerde(MemberEvent.class, ProtobufSerdes.of(new MemberEventDeserializer()));
            ConsumerTask<String, MemberEvent> published = kafka.consume(String.class, MemberEvent.class)
                    .fromTopics(Topics.MEMBER_EVENTS);
            // the till's copy gets a line of its own (in no delivery report): SZ counts in part
            postCsv(header, "tz3-%1$s,pos,order,2025-10-03T19:30:28+08:00,sz-%1$s,TZ-%1$s,SZ-%1$s,6903,1,20.00\n"
                    .formatted(run), 1);
            pool.preparedQuery("INSERT INTO unpublished_batch (accepted_at, sources, event_ids) VALUES ($1, $2, $3)")
                    .execute(Tuple.of(OffsetDateTime.now().minusMinutes(10), new String[] {"pos"}, new String[] {"rz-" + run}))
                    .await().indefinitely();
            relay.relay();
            // the import's publication (MZ), the import's again (SZ), then the relay's
            Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(published.getRecords()
                    .stream().filter(r -> r.value().getEvent().getEventId().equals("rz-" + run)).count())
                    .isGreaterThanOrEqualTo(3));
            published.stop();
            List<MemberEvent> refunds = published.getRecords().stream().map(r -> r.value())
                    .filter(e -> e.getEvent().getEventId().equals("rz-" + run)).toList();
            assertThat(refunds).extracting(MemberEvent::getPublicationVersion).as("every publication newer than the last")
                    .isSorted().doesNotHaveDuplicates();
            assertThat(refunds).extracting(e -> e.getCountedOrder().getSource() + " " + e.getCountedOrder().getOrderId())
                    .as("the greatest version is what consumers keep").last().isEqualTo("SOURCE_POS SZ-" + run);
        }
        assertThat(batchesNaming("rz-" + run)).as("struck off once relayed").isZero();
    }

    /**
     * A standby relays nothing: its publication_version, taken after a writer's import took one, could go with counted
     * orders read before that import commits, and consumers would keep that stale copy; its member.merges changes could
     * overtake the writer's newer ones. What it leaves is relayed by the writer.
     */
    @Test
    void aStandbyLeavesUnpublishedBatchesAndChangesToTheWriter() {
        String run = UUID.randomUUID().toString().substring(0, 8);
        postCsv("event_id,source,type,occurred_at,store_id,member_no\n",
                "sb1-%1$s,pos,visit,2025-03-03T09:00:00+08:00,s-%1$s,SB-%1$s\n".formatted(run), 1);
        pool.preparedQuery("INSERT INTO unpublished_batch (accepted_at, sources, event_ids) VALUES ($1, $2, $3)")
                .execute(Tuple.of(OffsetDateTime.now().minusMinutes(10), new String[] {"pos"}, new String[] {"sb1-" + run}))
                .await().indefinitely();
        MemberIdentityChange change = MemberIdentityChange.newBuilder().setMerged(MemberMerged.newBuilder()
                .setSurvivingMemberId("sbs-" + run).setAbsorbedMemberId("sba-" + run).setRule("test")).build();
        long changeId = pool.preparedQuery("""
                INSERT INTO identity_change (member_key, payload, created_at) VALUES ($1, $2, now() - interval '10 minutes')
                RETURNING id""")
                .execute(Tuple.of("sba-" + run, Buffer.buffer(change.toByteArray())))
                .await().indefinitely().iterator().next().getLong(0);
        try (OtherInstance other = OtherInstance.connect(vertx)) { // closed: the other instance goes away, its lock with it
            // this instance steps down and the other one writes (SingleWriter's retry may take the lock back meanwhile)
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> {
                lock.release();
                return other.tryLock();
            });
            relay.relay();
            assertThat(batchesNaming("sb1-" + run)).as("left to the writer").isEqualTo(1);
            assertThat(changePublished(changeId)).as("left to the writer").isFalse();
        }
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(lock::tryAcquire);
        relay.relay();
        assertThat(batchesNaming("sb1-" + run)).as("relayed by the writer").isZero();
        assertThat(changePublished(changeId)).as("relayed by the writer").isTrue();
    }

    private boolean changePublished(long id) {
        return pool.preparedQuery("SELECT published_at IS NOT NULL FROM identity_change WHERE id = $1").execute(Tuple.of(id))
                .await().indefinitely().iterator().next().getBoolean(0);
    }

    private static void postCsv(String header, String rows, int accepted) {
        given().contentType("text/csv").body(header + rows).post("/events/csv").then().statusCode(200)
                .body("accepted", equalTo(accepted));
    }

    /**
     * A batch listed a minute ago may still be in its first send (the producer blocks up to max.block.ms 60 s and
     * delivers within delivery.timeout.ms 120 s): the relay leaves it alone. With the 30 s grace before, it sent it
     * again, twice on the topic and behind the member's newer events.
     */
    @Test
    void aBatchWhoseFirstSendMayStillBeInFlightIsNotRelayed() {
        String run = UUID.randomUUID().toString().substring(0, 8);
        given().contentType("text/csv").body("""
                event_id,source,type,occurred_at,store_id,member_no
                f1-%1$s,pos,visit,2025-03-02T09:00:00+08:00,s-%1$s,m-%1$s
                """.formatted(run)).post("/events/csv").then().statusCode(200).body("accepted", equalTo(1));
        long id = pool.preparedQuery(
                "INSERT INTO unpublished_batch (accepted_at, sources, event_ids) VALUES ($1, $2, $3) RETURNING id")
                .execute(Tuple.of(OffsetDateTime.now().minusMinutes(1), new String[] {"pos"}, new String[] {"f1-" + run}))
                .await().indefinitely().iterator().next().getLong(0);
        try {
            relay.relay();
            assertThat(batchesNaming("f1-" + run)).as("still waiting for its first send").isEqualTo(1);
        } finally {
            pool.preparedQuery("DELETE FROM unpublished_batch WHERE id = $1").execute(Tuple.of(id)).await().indefinitely();
        }
    }

    private long batchesNaming(String eventId) {
        return pool.preparedQuery("SELECT count(*) FROM unpublished_batch WHERE $1 = ANY(event_ids)")
                .execute(Tuple.of(eventId)).await().indefinitely().iterator().next().getLong(0);
    }
}
