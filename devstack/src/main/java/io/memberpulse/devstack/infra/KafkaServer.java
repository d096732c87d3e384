package io.memberpulse.devstack.infra;

import io.memberpulse.proto.kafka.Topics;
import io.smallrye.reactive.messaging.kafka.companion.test.EmbeddedKafkaBroker;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Logger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * Kafka: the servers named by KAFKA_BOOTSTRAP_SERVERS, otherwise a KRaft broker (combined broker and
 * controller, Apache Kafka from Maven artifacts) started in this JVM on a free port. Either way the
 * memberpulse topics and their dead-letter topics are created with several partitions.
 */
public final class KafkaServer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(KafkaServer.class.getName());
    public static final int PARTITIONS = 4;

    private final String bootstrapServers;
    private final EmbeddedKafkaBroker embedded;

    private KafkaServer(String bootstrapServers, EmbeddedKafkaBroker embedded) {
        this.bootstrapServers = bootstrapServers;
        this.embedded = embedded;
    }

    public static KafkaServer startOrReuse(InfraSettings settings) {
        KafkaServer server;
        if (settings.kafkaBootstrapServers() != null) {
            LOG.info(() -> "Kafka: using the configured servers " + settings.kafkaBootstrapServers());
            server = new KafkaServer(settings.kafkaBootstrapServers(), null);
        } else {
            long started = System.nanoTime();
            EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker()
                    .withKafkaPort(FreePorts.next())
                    .withControllerPort(FreePorts.next())
                    .withDeleteLogDirsOnClose(true)
                    .withAdditionalProperties(properties -> {
                        properties.put("num.partitions", String.valueOf(PARTITIONS));
                        properties.put("group.initial.rebalance.delay.ms", "0");
                        properties.put("offsets.topic.num.partitions", "4");
                        properties.put("auto.create.topics.enable", "true");
                    })
                    .start();
            LOG.info(() -> "Kafka: started a KRaft broker at " + broker.getAdvertisedListeners() + " in "
                    + (System.nanoTime() - started) / 1_000_000 + " ms");
            server = new KafkaServer(broker.getAdvertisedListeners(), broker);
        }
        server.createTopics();
        return server;
    }

    /** Creates the memberpulse topics (and their dead-letter topics) that do not exist yet. */
    public void createTopics() {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            List<NewTopic> missing = new ArrayList<>();
            for (String topic : Topics.ALL) {
                for (String name : List.of(topic, Topics.deadLetter(topic))) {
                    if (!existing.contains(name)) {
                        missing.add(new NewTopic(name, PARTITIONS, (short) 1));
                    }
                }
            }
            // Each topic on its own: on a loaded machine the admin client may retry a create that had
            // already succeeded, and a topic that exists is exactly what we want.
            admin.createTopics(missing).values().forEach((name, created) -> {
                try {
                    created.get(30, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("could not create topic " + name + " on " + bootstrapServers, e);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while creating topics", e);
                } catch (TimeoutException e) {
                    throw new IllegalStateException("could not create topic " + name + " on " + bootstrapServers, e);
                }
            });
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topics", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("could not create the memberpulse topics on " + bootstrapServers, e);
        }
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    public boolean isEmbedded() {
        return embedded != null;
    }

    @Override
    public void close() {
        if (embedded != null) {
            embedded.close();
        }
    }
}
