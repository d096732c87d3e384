package io.memberpulse.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every chart, with its defaults and with every option switched on, renders only valid objects. */
class RenderedManifestsTest {

    /** Every optional object of every chart at once (KEDA replaces the HPA where a service consumes). */
    static final Map<String, Object> EVERYTHING_ON = Map.ofEntries(
            Map.entry("kafkaTopics.enabled", true),
            Map.entry("observability.grafanaDashboard.enabled", true),
            Map.entry("observability.prometheusRule.enabled", true),
            Map.entry("identity-service.serviceMonitor.enabled", true),
            Map.entry("rfm-service.serviceMonitor.enabled", true),
            Map.entry("churn-service.serviceMonitor.enabled", true),
            Map.entry("campaign-service.serviceMonitor.enabled", true),
            Map.entry("rfm-service.keda.enabled", true),
            Map.entry("churn-service.keda.enabled", true),
            Map.entry("campaign-service.keda.enabled", true),
            Map.entry("identity-service.credentials.create", true),
            Map.entry("identity-service.credentials.postgresUser", "identity"),
            Map.entry("identity-service.credentials.postgresPassword", "secret"),
            Map.entry("global.kafka.security.protocol", "SASL_SSL"),
            Map.entry("global.kafka.security.sasl.mechanism", "SCRAM-SHA-512"),
            Map.entry("global.kafka.security.sasl.existingSecret", "memberpulse-kafka"),
            Map.entry("global.kafka.security.truststore.secretName", "kafka-cluster-ca-cert"),
            Map.entry("global.redis.tls", true),
            Map.entry("global.redis.passwordSecret.name", "memberpulse-redis"),
            Map.entry("global.redis.ca.configMapName", "redis-ca"),
            Map.entry("global.postgres.sslMode", "verify-full"),
            Map.entry("global.postgres.ca.secretName", "postgres-ca"),
            Map.entry("global.image.native", true),
            Map.entry("global.networkPolicy.ingressFrom[0].namespaceSelector.matchLabels.team", "frontends"),
            Map.entry("global.networkPolicy.ingressFrom[1].ipBlock.cidr", "192.168.0.0/16"),
            Map.entry("global.networkPolicy.monitoring.podSelector.matchLabels.app", "prometheus"),
            Map.entry("global.networkPolicy.egress.enabled", true),
            Map.entry("global.networkPolicy.egress.postgres.to[0].ipBlock.cidr", "10.20.0.0/24"),
            Map.entry("global.networkPolicy.egress.redis.to[0].ipBlock.cidr", "10.30.0.0/24"),
            Map.entry("global.networkPolicy.egress.kafka.to[0].namespaceSelector.matchLabels.team", "events"));

    static List<Object[]> renderings() {
        List<Object[]> renderings = new ArrayList<>();
        renderings.add(new Object[] {Charts.UMBRELLA, "defaults", Map.of()});
        renderings.add(new Object[] {Charts.UMBRELLA, "every option on", EVERYTHING_ON});
        for (String service : Charts.SERVICES) {
            renderings.add(new Object[] {service, "defaults", Map.of()});
            boolean singleWriter = service.equals("identity-service"); // one replica at most (SingleWriterTest)
            renderings.add(new Object[] {service, "scaled by hand, monitored", Map.of(
                    "autoscaling.enabled", false, "replicaCount", singleWriter ? 1 : 3, "serviceMonitor.enabled", true,
                    "podDisruptionBudget.minAvailable", singleWriter ? 1 : 2)});
        }
        return renderings;
    }

    @ParameterizedTest(name = "{0} with {1}")
    @MethodSource("renderings")
    void everyRenderedObjectIsValid(String chart, String description, Map<String, Object> values) {
        List<Manifest> manifests = Charts.render(chart, values);

        KubernetesSchema.validate(manifests);
        assertThat(manifests).extracting(m -> m.kind() + "/" + m.name()).doesNotHaveDuplicates();
        for (Manifest deployment : Manifests.ofKind(manifests, "Deployment")) {
            referencesResolve(deployment.as(Deployment.class), manifests);
        }
    }

    /**
     * Service selectors, HPA/PDB targets, the NetworkPolicy's pods and ports and the ConfigMap a Deployment
     * reads all name what is rendered.
     */
    private static void referencesResolve(Deployment deployment, List<Manifest> manifests) {
        String name = deployment.getMetadata().getName();
        Map<String, String> podLabels = deployment.getSpec().getTemplate().getMetadata().getLabels();
        Service service = Manifests.one(manifests, "Service", name).as(Service.class);
        assertThat(podLabels).containsAllEntriesOf(service.getSpec().getSelector());
        var containerPorts = deployment.getSpec().getTemplate().getSpec().getContainers().get(0).getPorts();
        assertThat(service.getSpec().getPorts()).allSatisfy(port -> assertThat(containerPorts)
                .anySatisfy(containerPort -> assertThat(containerPort.getName()).isEqualTo(port.getTargetPort().getStrVal())));
        PodDisruptionBudget pdb = Manifests.one(manifests, "PodDisruptionBudget", name).as(PodDisruptionBudget.class);
        assertThat(podLabels).containsAllEntriesOf(pdb.getSpec().getSelector().getMatchLabels());
        Manifests.find(manifests, m -> m.kind().equals("NetworkPolicy") && m.name().equals(name)).ifPresent(policy -> {
            var spec = policy.as(NetworkPolicy.class).getSpec();
            assertThat(podLabels).containsAllEntriesOf(spec.getPodSelector().getMatchLabels());
            assertThat(spec.getIngress()).allSatisfy(rule -> assertThat(rule.getPorts()).allSatisfy(port -> assertThat(containerPorts)
                    .anySatisfy(containerPort -> assertThat(containerPort.getContainerPort()).isEqualTo(port.getPort().getIntVal()))));
        });
        Manifests.find(manifests, m -> m.kind().equals("HorizontalPodAutoscaler") && m.name().equals(name)).ifPresent(hpa ->
                assertThat(hpa.as(HorizontalPodAutoscaler.class).getSpec().getScaleTargetRef().getName()).isEqualTo(name));
        var envFrom = deployment.getSpec().getTemplate().getSpec().getContainers().get(0).getEnvFrom();
        assertThat(envFrom).anySatisfy(source -> assertThat(source.getConfigMapRef().getName()).isEqualTo(name + "-config"));
        String secret = envFrom.stream().filter(source -> source.getSecretRef() != null).findFirst().orElseThrow().getSecretRef().getName();
        Manifests.find(manifests, m -> m.kind().equals("Secret") && m.name().equals(secret)).ifPresent(created ->
                assertThat(created.as(Secret.class).getStringData()).containsOnlyKeys("POSTGRES_USER", "POSTGRES_PASSWORD"));
    }
}
