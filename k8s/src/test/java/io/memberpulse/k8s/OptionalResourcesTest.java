package io.memberpulse.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * ServiceMonitor, KEDA, Strimzi topics, dashboard and alert rules appear only when switched on; every service
 * has its Deployment, Service, PodDisruptionBudget and NetworkPolicy by default.
 */
class OptionalResourcesTest {

    private static final List<String> OPTIONAL_KINDS = List.of("ServiceMonitor", "ScaledObject", "KafkaTopic", "PrometheusRule", "Secret");

    @Test
    void defaultsRenderOnlyTheCoreObjectsOfEachService() {
        List<Manifest> manifests = Charts.defaults();

        assertThat(manifests).extracting(Manifest::kind).doesNotContainAnyElementsOf(OPTIONAL_KINDS);
        assertThat(manifests).filteredOn(m -> m.kind().equals("ConfigMap")).extracting(Manifest::name)
                .containsExactlyInAnyOrder("identity-service-config", "rfm-service-config", "churn-service-config", "campaign-service-config");
        for (String kind : List.of("Deployment", "Service", "PodDisruptionBudget", "NetworkPolicy")) {
            assertThat(Manifests.ofKind(manifests, kind)).extracting(Manifest::name).as(kind)
                    .containsExactlyInAnyOrderElementsOf(Charts.SERVICES);
        }
        assertThat(Manifests.ofKind(manifests, "HorizontalPodAutoscaler")).extracting(Manifest::name)
                .as("identity-service is a single writer: one replica, no HPA")
                .containsExactlyInAnyOrder("rfm-service", "churn-service", "campaign-service");
        assertThat(Manifests.one(manifests, "Deployment", "identity-service").as(Deployment.class).getSpec().getReplicas())
                .isEqualTo(1);
        // The writer lock would keep a surged identity pod unready for ever; the consumers roll without downtime.
        assertThat(Manifests.one(manifests, "Deployment", "identity-service").as(Deployment.class).getSpec().getStrategy()
                .getType()).isEqualTo("Recreate");
        assertThat(Manifests.one(manifests, "Deployment", "rfm-service").as(Deployment.class).getSpec().getStrategy()
                .getRollingUpdate().getMaxUnavailable().getIntVal()).isZero();
    }

    @Test
    void aServiceCanBeLeftOut() {
        List<Manifest> manifests = Charts.render(Charts.UMBRELLA, Map.of("campaign-service.enabled", false));

        assertThat(Manifests.ofKind(manifests, "Deployment")).extracting(Manifest::name)
                .containsExactlyInAnyOrder("identity-service", "rfm-service", "churn-service");
    }

    @Test
    void switchedOnEveryOptionalObjectAppearsWithItsRequiredFields() {
        List<Manifest> manifests = Charts.render(Charts.UMBRELLA, RenderedManifestsTest.EVERYTHING_ON);

        assertThat(Manifests.ofKind(manifests, "ServiceMonitor")).extracting(Manifest::name).containsExactlyInAnyOrderElementsOf(Charts.SERVICES);
        for (Manifest monitor : Manifests.ofKind(manifests, "ServiceMonitor")) {
            assertThat(KubernetesSchema.spec(monitor).get("endpoints").toString()).contains("port=http", "path=/q/metrics");
        }
        assertThat(Manifests.ofKind(manifests, "ScaledObject")).extracting(Manifest::name)
                .containsExactlyInAnyOrder("rfm-service", "churn-service", "campaign-service");
        assertThat(triggers(manifests, "rfm-service")).extracting(t -> t.get("consumerGroup")).containsOnly("rfm-service");
        assertThat(triggers(manifests, "campaign-service")).extracting(t -> t.get("consumerGroup")).containsOnly("campaign-service");
        assertThat(Manifests.ofKind(manifests, "HorizontalPodAutoscaler")).extracting(Manifest::name)
                .as("KEDA replaces the HPA of the consumers; identity-service runs one replica").isEmpty();
        assertThat(Manifests.ofKind(manifests, "Secret")).extracting(Manifest::name).containsExactly("identity-service-config-creds");
        assertThat(Manifests.ofKind(manifests, "PrometheusRule")).hasSize(1);
        ConfigMap dashboard = Manifests.ofKind(manifests, "ConfigMap").stream().map(m -> m.as(ConfigMap.class))
                .filter(c -> c.getData().containsKey("memberpulse.json")).findFirst().orElseThrow();
        assertThat(dashboard.getMetadata().getLabels()).containsEntry("grafana_dashboard", "1");
    }

    @Test
    void kafkaTopicsCoverEveryTopicAndItsDeadLetterTopic() {
        List<Manifest> topics = Manifests.ofKind(Charts.render(Charts.UMBRELLA, Map.of(
                "kafkaTopics.enabled", true, "kafkaTopics.partitions", 6, "kafkaTopics.replicas", 2, "kafkaTopics.clusterName", "events")), "KafkaTopic");

        List<String> expected = new ArrayList<>();
        for (String topic : List.of("channel.events", "member.events", "member.merges", "member.segments", "churn.scores", "intervention.outcomes")) {
            expected.add(topic);
            expected.add(topic + ".dlq");
        }
        assertThat(topics).extracting(t -> KubernetesSchema.spec(t).get("topicName")).containsExactlyInAnyOrderElementsOf(expected);
        for (Manifest topic : topics) {
            Map<String, Object> spec = KubernetesSchema.spec(topic);
            boolean deadLetter = spec.get("topicName").toString().endsWith(".dlq");
            assertThat(topic.name()).isEqualTo(spec.get("topicName").toString().replace('.', '-'));
            assertThat(topic.resource().getMetadata().getLabels()).containsEntry("strimzi.io/cluster", "events");
            assertThat(spec).containsEntry("partitions", deadLetter ? 1 : 6).containsEntry("replicas", 2);
            assertThat(((Map<?, ?>) spec.get("config")).containsKey("min.insync.replicas")).isTrue();
            // dead-letter topics keep 14 days; the topics carrying personal data a bounded 7, so an erasure reaches them
            String retention = deadLetter ? "1209600000"
                    : List.of("channel.events", "member.events").contains(spec.get("topicName")) ? "604800000" : null;
            assertThat(((Map<?, ?>) spec.get("config")).get("retention.ms")).isEqualTo(retention);
        }
    }

    /**
     * KEDA scales on the lag of every topic the service consumes (one trigger per topic; the HPA follows the largest),
     * read as the channel's own consumer group: a backlog on a topic without a trigger would never add a replica.
     */
    @Test
    void eachScaledObjectCoversEveryTopicItsServiceConsumes() {
        List<String> kedaServices = List.of("rfm-service", "churn-service", "campaign-service");
        Map<String, Object> values = new HashMap<>();
        kedaServices.forEach(service -> values.put(service + ".keda.enabled", true));
        List<Manifest> manifests = Charts.render(Charts.UMBRELLA, values);

        for (String service : kedaServices) {
            Map<String, String> groupByTopic = incomingTopics(service);
            assertThat(groupByTopic).as("%s consumes topics", service).isNotEmpty();
            Map<String, String> triggered = new HashMap<>();
            for (Map<String, Object> trigger : triggers(manifests, service)) {
                assertThat(triggered.put((String) trigger.get("topic"), (String) trigger.get("consumerGroup")))
                        .as("%s has one trigger per topic", service).isNull();
            }
            assertThat(triggered).as("%s's ScaledObject: topic -> consumer group", service).isEqualTo(groupByTopic);
        }
        // values written for the former single topic are refused rather than scaling on that topic alone
        assertThatThrownBy(() -> Charts.render(Charts.UMBRELLA, Map.of("rfm-service.keda.enabled", true,
                "rfm-service.keda.topic", "member.events"))).hasMessageContaining("keda.topic was replaced by keda.topics");
    }

    /** mp.messaging.incoming.<channel>.topic -> that channel's group.id, from the service's application.properties. */
    private static Map<String, String> incomingTopics(String service) {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(ServiceConfig.properties(service))) {
            properties.load(reader);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, String> groupByTopic = new TreeMap<>();
        for (String key : properties.stringPropertyNames()) {
            Matcher channel = Pattern.compile("mp\\.messaging\\.incoming\\.([^.]+)\\.topic").matcher(key);
            if (channel.matches()) {
                String group = properties.getProperty("mp.messaging.incoming." + channel.group(1) + ".group.id");
                groupByTopic.put(properties.getProperty(key), group);
            }
        }
        return groupByTopic;
    }

    /** The metadata of each Kafka trigger of the service's ScaledObject. */
    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> triggers(List<Manifest> manifests, String service) {
        List<Map<String, Object>> triggers = (List<Map<String, Object>>) KubernetesSchema.spec(Manifests.one(manifests, "ScaledObject", service)).get("triggers");
        assertThat(triggers).isNotEmpty().allSatisfy(t -> assertThat(t.get("type")).isEqualTo("kafka"));
        return triggers.stream().map(t -> (Map<String, Object>) t.get("metadata")).toList();
    }
}
