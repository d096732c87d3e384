package io.memberpulse.churn.stream;

import io.memberpulse.churn.ChurnConfig;
import io.memberpulse.churn.domain.FactsBehindException;
import io.memberpulse.proto.kafka.Topics;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Whether this service has consumed the member facts published so far. A training run or batch evaluation asked
 * for right after an import must see every fact identity-service published before it, not the part the consumers
 * have reached: `import` then `churn score` once trained on a third of the members and scored the rest as
 * certain churners. Waits until this service's consumer group has committed, on every partition of the topics it
 * learns facts from, at least the end offset the partition had when the wait began (later facts do not hold it), or
 * until the partition has nothing left to read up to there (its records expired).
 */
@ApplicationScoped
public class ConsumedFacts {
    /** The topics whose records become facts a training run reads. */
    static final List<String> TOPICS = List.of(Topics.MEMBER_EVENTS, Topics.MEMBER_MERGES, Topics.INTERVENTION_OUTCOMES);
    private static final Duration POLL_EVERY = Duration.ofMillis(500);
    private static final long KAFKA_TIMEOUT_SECONDS = 30;
    private static final Logger LOG = Logger.getLogger(ConsumedFacts.class);

    /** How far the consumers are: records consumed since the wait began, of those behind when it began. */
    @FunctionalInterface
    public interface Progress {
        void report(long consumed, long behind);
    }

    private final Map<String, Object> kafka;
    private final List<String> topics;
    private final String group;
    private final Duration maxWait;

    @Inject
    ConsumedFacts(@Identifier("default-kafka-broker") Map<String, Object> kafka,
            @ConfigProperty(name = "mp.messaging.incoming.member-events.group.id") String group, ChurnConfig config) {
        this(kafka, TOPICS, group, config.churn().factsWait());
    }

    ConsumedFacts(Map<String, Object> kafka, List<String> topics, String group, Duration maxWait) {
        this.kafka = kafka;
        this.topics = List.copyOf(topics);
        this.group = group;
        this.maxWait = maxWait;
    }

    /**
     * Returns once the consumers have caught up with what was published when it was called.
     *
     * @throws FactsBehindException when they have not within memberpulse.churn.facts-wait, or Kafka cannot tell
     */
    public void awaitCaughtUp(Progress progress) {
        long deadline = System.nanoTime() + maxWait.toNanos();
        try (Admin admin = Admin.create(adminConfig())) {
            Map<TopicPartition, Long> ends = endOffsets(admin);
            long behind = -1;
            while (true) {
                long lag = lag(ends, committedOffsets(admin), earliestOffsets(admin, ends.keySet()));
                behind = Math.max(behind, lag);
                progress.report(behind - lag, behind);
                if (lag == 0) {
                    return;
                }
                if (System.nanoTime() > deadline) {
                    throw new FactsBehindException("churn-service has not consumed " + lag + " of the member facts "
                            + "published before this run within " + readable(maxWait) + " (its consumer group "
                            + group + " is behind on " + topics + "): try again once it has caught up");
                }
                Thread.sleep(POLL_EVERY.toMillis());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FactsBehindException("interrupted while waiting for the member facts to be consumed", e);
        } catch (ExecutionException | TimeoutException | KafkaException e) {
            throw new FactsBehindException("cannot tell whether the member facts published so far have been consumed: "
                    + "Kafka did not answer (" + (e.getCause() != null ? e.getCause() : e) + ")", e);
        }
    }

    /**
     * Records published, still on the broker, and not yet committed by the group: a partition it never committed on
     * (or committed on before records it had not read expired) counts from its earliest offset. The records before it
     * have expired, nobody can read them, and a group that has nothing left to read there never commits on it: counted
     * from 0, they held every run for the whole facts-wait and then failed it.
     */
    static long lag(Map<TopicPartition, Long> ends, Map<TopicPartition, Long> committed,
            Map<TopicPartition, Long> earliest) {
        long lag = 0;
        for (Map.Entry<TopicPartition, Long> end : ends.entrySet()) {
            long consumed = Math.max(committed.getOrDefault(end.getKey(), 0L), earliest.getOrDefault(end.getKey(), 0L));
            lag += Math.max(0, end.getValue() - consumed);
        }
        return lag;
    }

    private Map<TopicPartition, Long> endOffsets(Admin admin)
            throws ExecutionException, InterruptedException, TimeoutException {
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        for (var topic : admin.describeTopics(topics).topicNameValues().entrySet()) {
            try {
                TopicDescription description = topic.getValue().get(KAFKA_TIMEOUT_SECONDS, TimeUnit.SECONDS);
                description.partitions().forEach(p -> latest.put(new TopicPartition(topic.getKey(), p.partition()),
                        OffsetSpec.latest()));
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                    throw e;
                }
                LOG.debugf("topic %s does not exist yet: nothing published on it to wait for", topic.getKey());
            }
        }
        Map<TopicPartition, Long> ends = new HashMap<>();
        admin.listOffsets(latest).all().get(KAFKA_TIMEOUT_SECONDS, TimeUnit.SECONDS)
                .forEach((partition, info) -> ends.put(partition, info.offset()));
        return ends;
    }

    /** Each partition's earliest offset now (retention moves it while the wait goes on). */
    private static Map<TopicPartition, Long> earliestOffsets(Admin admin, Set<TopicPartition> partitions)
            throws ExecutionException, InterruptedException, TimeoutException {
        Map<TopicPartition, Long> earliest = new HashMap<>();
        if (partitions.isEmpty()) {
            return earliest;
        }
        Map<TopicPartition, OffsetSpec> spec = new HashMap<>();
        partitions.forEach(partition -> spec.put(partition, OffsetSpec.earliest()));
        admin.listOffsets(spec).all().get(KAFKA_TIMEOUT_SECONDS, TimeUnit.SECONDS)
                .forEach((partition, info) -> earliest.put(partition, info.offset()));
        return earliest;
    }

    private Map<TopicPartition, Long> committedOffsets(Admin admin)
            throws ExecutionException, InterruptedException, TimeoutException {
        Map<TopicPartition, Long> committed = new HashMap<>();
        Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata()
                .get(KAFKA_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        offsets.forEach((partition, offset) -> {
            if (offset != null) {
                committed.put(partition, offset.offset());
            }
        });
        return committed;
    }

    /** The services' own Kafka settings (bootstrap servers, security), as far as an admin client takes them. */
    private Map<String, Object> adminConfig() {
        Map<String, Object> config = new HashMap<>();
        kafka.forEach((key, value) -> {
            if (AdminClientConfig.configNames().contains(key)) {
                config.put(key, value);
            }
        });
        config.put(AdminClientConfig.CLIENT_ID_CONFIG, "churn-service-consumed-facts");
        return config;
    }

    /** "10 min", "45 s": the wait as its setting was meant. */
    static String readable(Duration wait) {
        return wait.toSeconds() % 60 == 0 && wait.toMinutes() > 0 ? wait.toMinutes() + " min" : wait.toSeconds() + " s";
    }
}
