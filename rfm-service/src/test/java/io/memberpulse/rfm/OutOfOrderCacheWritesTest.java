package io.memberpulse.rfm;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;

import io.memberpulse.proto.identity.v1.MemberEvent;
import io.memberpulse.proto.kafka.MemberEventDeserializer;
import io.memberpulse.proto.kafka.ProtobufSerdes;
import io.memberpulse.proto.kafka.Topics;
import io.memberpulse.proto.merges.IdentityChange;
import io.memberpulse.rfm.domain.RfmSnapshot;
import io.memberpulse.rfm.store.IdentityChangeRepository;
import io.memberpulse.rfm.store.RfmCache;
import io.memberpulse.rfm.store.MemberRowRepository;
import io.memberpulse.rfm.store.RfmReadRepository;
import io.memberpulse.rfm.store.SegmentChangeOutboxRepository;
import io.memberpulse.rfm.stream.out.SegmentChangePublisher;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * Replicas cache what they wrote, each in its own order: one replica's output can land in Redis after another
 * replica's output of a later write. The later write wins whichever lands first: a member merged away is not served
 * again by a delayed cache write of its old row, nor a newer row replaced by an older one.
 */
@QuarkusTest
class OutOfOrderCacheWritesTest {
    static final Duration WAIT = Duration.ofSeconds(30);

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    @ConfigProperty(name = "memberpulse.redis.key-prefix")
    String keyPrefix;

    @Inject
    RfmCache cache;

    @Inject
    MemberRowRepository memberRows;

    @Inject
    RfmReadRepository rfmReads;

    @Inject
    SegmentChangeOutboxRepository outbox;

    @Inject
    RfmCacheWrites cacheWrites;

    @Inject
    IdentityChangeRepository identities;

    @Inject
    SegmentChangePublisher publisher;

    @Inject
    MeterRegistry registry;

    @Inject
    RedisDataSource redis;

    @Inject
    RfmQueryService queries;

    /** Another replica's output: the same Redis, database and broker. */
    SegmentOutput replica() {
        return new SegmentOutput(cache, cacheWrites, outbox, publisher, registry);
    }

    @Test
    void aDelayedCacheWriteOfAMemberMergedAwayMeanwhileDoesNotBringItBack() {
        String absorbed = "m-" + UUID.randomUUID();
        MemberRowRepository.StoredRow written = rowWrittenAndCached(absorbed);

        // Replica C applies MemberMerged absorbed -> survivor: the row is deleted, its output removes the member.
        String survivor = "m-" + UUID.randomUUID();
        identities.apply(new IdentityChange.Merge(survivor, absorbed, Instant.now())).await().indefinitely();
        memberRows.delete(List.of(absorbed), List.of()).await().indefinitely();
        replica().emit(List.of(), Map.of(absorbed, written.updatedAt().plusMillis(5))).toCompletableFuture().join();
        given().get("/members/" + absorbed + "/rfm").then().statusCode(404);

        // Replica A's output of the row it wrote before, queued behind its other outputs and retried, lands now.
        replica().emit(List.of(written), Map.of()).toCompletableFuture().join();

        given().get("/members/" + absorbed + "/rfm").then().statusCode(404);
        assertThat(cache.get(absorbed).await().indefinitely()).isEmpty();
        long ttl = redis.key().ttl(keyPrefix + "rfm-removed:" + absorbed);
        assertThat(ttl).as("the removal is remembered for a while, not forever")
                .isBetween(RfmCache.TOMBSTONE_TTL.toSeconds() - 60, RfmCache.TOMBSTONE_TTL.toSeconds());

        // A row written after the removal (a split giving the member facts again) is cached.
        replica().emit(List.of(new MemberRowRepository.StoredRow(written.snapshot(), written.updatedAt().plusMillis(10))), Map.of())
                .toCompletableFuture().join();
        assertThat(cache.get(absorbed).await().indefinitely()).isPresent();
    }

    /**
     * A read that missed Redis caches the row it read from PostgreSQL. A merge that removes the member between that
     * read and the write-back does not leave the absorbed member served from Redis, whichever lands first: its
     * removal's tombstone (a later version than the row read) keeps the write-back out, or removes it.
     */
    @Test
    void aRowReadOnAMissIsNotCachedAgainAfterAMergeRemovedTheMemberMeanwhile() {
        // The merge's removal lands before the read's write-back.
        String absorbed = "m-" + UUID.randomUUID();
        rowWrittenAndCached(absorbed);
        var read = readAfterAMiss(absorbed);
        mergedAway(absorbed, read.stored().updatedAt());
        queries.cacheRead(java.util.Optional.of(read)).await().indefinitely();
        assertThat(cache.get(absorbed).await().indefinitely()).as("the tombstone kept the row read out").isEmpty();
        given().get("/members/" + absorbed + "/rfm").then().statusCode(404);

        // The read's write-back lands before the merge's removal.
        String other = "m-" + UUID.randomUUID();
        rowWrittenAndCached(other);
        var readFirst = readAfterAMiss(other);
        queries.cacheRead(java.util.Optional.of(readFirst)).await().indefinitely();
        assertThat(cache.get(other).await().indefinitely()).isPresent();
        mergedAway(other, readFirst.stored().updatedAt());
        assertThat(cache.get(other).await().indefinitely()).as("the removal took the row read out").isEmpty();
        given().get("/members/" + other + "/rfm").then().statusCode(404);
    }

    /** The member missing from Redis (flushed), and its row as a read then finds it in PostgreSQL. */
    RfmReadRepository.FoundRow readAfterAMiss(String member) {
        redis.key().del(keyPrefix + "rfm:" + member);
        return rfmReads.find(member).await().indefinitely().orElseThrow();
    }

    /** What applying MemberMerged member -> another does: its row deleted, then its output removes it from Redis. */
    void mergedAway(String member, Instant versionRead) {
        identities.apply(new IdentityChange.Merge("m-" + UUID.randomUUID(), member, Instant.now())).await().indefinitely();
        memberRows.delete(List.of(member), List.of()).await().indefinitely();
        replica().emit(List.of(), Map.of(member, versionRead.plusMillis(5))).toCompletableFuture().join();
    }

    @Test
    void aDelayedCacheWriteOfAnOlderRowDoesNotReplaceANewerOne() {
        String member = "m-" + UUID.randomUUID();
        MemberRowRepository.StoredRow written = rowWrittenAndCached(member);

        replica().emit(List.of(withSegment(written, "probe-newer", 2_000)), Map.of()).toCompletableFuture().join();
        replica().emit(List.of(withSegment(written, "probe-older", 1_000)), Map.of()).toCompletableFuture().join();

        given().get("/members/" + member + "/rfm").then().statusCode(200)
                .body("segments", hasItem("probe-newer")).body("segments", not(hasItem("probe-older")));
    }

    static MemberRowRepository.StoredRow withSegment(MemberRowRepository.StoredRow row, String segment, long millisLater) {
        Set<String> segments = new LinkedHashSet<>(row.snapshot().segments());
        segments.add(segment);
        return new MemberRowRepository.StoredRow(new RfmSnapshot(row.snapshot().rfm(), segments), row.updatedAt().plusMillis(millisLater));
    }

    /** The member's first order, through the service: its row written and cached. */
    MemberRowRepository.StoredRow rowWrittenAndCached(String member) {
        try (KafkaCompanion kafka = new KafkaCompanion(bootstrapServers)) {
            kafka.registerSerde(MemberEvent.class, ProtobufSerdes.of(new MemberEventDeserializer()));
            MemberEvent order = ReageingAndReplicasTest.order(member, ReageingAndReplicasTest.DAY0, 75);
            kafka.produce(String.class, MemberEvent.class)
                    .fromRecords(new ProducerRecord<>(Topics.MEMBER_EVENTS, member, order)).awaitCompletion();
        }
        await().atMost(WAIT).until(() -> cache.get(member).await().indefinitely().isPresent());
        return memberRows.rowsOf(List.of(member)).await().indefinitely().get(member);
    }
}
