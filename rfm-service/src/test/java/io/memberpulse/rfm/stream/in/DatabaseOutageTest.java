package io.memberpulse.rfm.stream.in;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import com.google.protobuf.Timestamp;
import io.memberpulse.proto.identity.v1.ChannelEvent;
import io.memberpulse.proto.identity.v1.EventType;
import io.memberpulse.proto.identity.v1.MemberEvent;
import io.memberpulse.proto.identity.v1.OrderLine;
import io.memberpulse.proto.identity.v1.Source;
import io.memberpulse.proto.kafka.MemberEventDeserializer;
import io.memberpulse.proto.kafka.ProtobufSerdes;
import io.memberpulse.proto.kafka.Topics;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.pgclient.PgConnection;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.pgclient.PgConnectOptions;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * A batch of member events consumed while the service's database is away (a failover, a restart) is recorded once it
 * is back, not dead-lettered: nothing replays a dead-letter topic by itself, so valid facts sent there are lost to the
 * figures.
 */
@QuarkusTest
class DatabaseOutageTest {
    /**
     * Longer than the 15 s or so that five retries took before a batch was dead-lettered, and than the 60 s the Kafka
     * connector lets a record go unacknowledged by default before it fails the channel.
     */
    static final Duration OUTAGE = Duration.ofSeconds(75);

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    @Inject
    Pool pool;

    @Inject
    Vertx vertx;

    @ConfigProperty(name = "quarkus.datasource.reactive.url")
    String url;

    @ConfigProperty(name = "quarkus.datasource.username")
    java.util.Optional<String> user;

    @ConfigProperty(name = "quarkus.datasource.password")
    java.util.Optional<String> password;

    @Test
    void aBatchConsumedWhileTheDatabaseIsAwayIsRecordedOnceItIsBack() throws Exception {
        String member = "m-" + UUID.randomUUID();
        MemberEvent order = MemberEvent.newBuilder().setMemberId(member).setEvent(ChannelEvent.newBuilder()
                .setEventId(member + "-1").setSource(Source.SOURCE_POS).setType(EventType.EVENT_TYPE_ORDER)
                .setOccurredAt(Timestamp.newBuilder().setSeconds(Instant.parse("2024-05-01T10:00:00Z").getEpochSecond()))
                .setStoreId("s-outage").setLine(OrderLine.newBuilder().setOrderId(member + "-o1").setQuantity(1)
                        .setPaidAmount(42))).build();
        // Every session of the service's database is ended, and no new one is let in until the outage is over.
        SqlConnection own = pool.getConnection().await().indefinitely();
        String database = own.query("SELECT current_database()").execute().await().indefinitely()
                .iterator().next().getString(0);
        own.close().await().indefinitely();
        // (a database's connections are switched off from another one's)
        PgConnectOptions server = PgConnectOptions.fromUri(url.replaceFirst("^vertx-reactive:", "")).setDatabase("postgres");
        user.ifPresent(server::setUser);
        password.ifPresent(server::setPassword);
        SqlConnection admin = PgConnection.connect(vertx, server).await().indefinitely();
        try (KafkaCompanion kafka = new KafkaCompanion(bootstrapServers)) {
            kafka.registerSerde(MemberEvent.class, ProtobufSerdes.of(new MemberEventDeserializer()));
            var deadLetters = kafka.consume(String.class, byte[].class).fromTopics(Topics.deadLetter(Topics.MEMBER_EVENTS));
            try {
                admin.query("ALTER DATABASE \"" + database + "\" WITH ALLOW_CONNECTIONS false").execute()
                        .await().indefinitely();
                admin.preparedQuery("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1")
                        .execute(io.vertx.mutiny.sqlclient.Tuple.of(database)).await().indefinitely();
                kafka.produce(String.class, MemberEvent.class)
                        .fromRecords(new ProducerRecord<>(Topics.MEMBER_EVENTS, member, order)).awaitCompletion();
                Thread.sleep(OUTAGE.toMillis());
            } finally {
                admin.query("ALTER DATABASE \"" + database + "\" WITH ALLOW_CONNECTIONS true").execute()
                        .await().indefinitely();
                admin.close().await().indefinitely();
            }
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().get("/members/" + member + "/rfm")
                    .then().statusCode(200).body("rfm.monetaryNetTotal", equalTo(42.0f)));
            deadLetters.stop();
            assertThat(deadLetters.getRecords()).noneMatch(record -> member.equals(record.key()));
            // the channel lived through it: a failed channel takes liveness down, and Kubernetes restarts the pod
            given().get("/q/health/live").then().statusCode(200);
        }
    }
}
