package io.memberpulse.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * identity-service is a single writer (a PostgreSQL advisory lock): a second pod is only an unready standby
 * that the Service never routes to and that uses up the PodDisruptionBudget. Its chart refuses to render one.
 */
class SingleWriterTest {

    private static final String REFUSAL = "identity-service is a single writer";

    static List<Object[]> moreThanOneReplica() {
        return List.of(
                new Object[] {"identity-service", Map.of("autoscaling.enabled", true), "autoscaling.enabled must be false"},
                new Object[] {"identity-service", Map.of("replicaCount", 2), "replicaCount must be 0 or 1, not 2"},
                new Object[] {"identity-service", Map.of("autoscaling.enabled", false, "replicaCount", 3), "not 3"},
                new Object[] {"identity-service", Map.of("keda.enabled", true), "keda.enabled must be false"},
                new Object[] {Charts.UMBRELLA, Map.of("identity-service.autoscaling.enabled", true,
                        "identity-service.autoscaling.minReplicas", 2, "identity-service.autoscaling.maxReplicas", 8),
                        "autoscaling.enabled must be false"},
                new Object[] {Charts.UMBRELLA, Map.of("identity-service.replicaCount", 2), "replicaCount must be 0 or 1"});
    }

    @ParameterizedTest(name = "{0} with {1}")
    @MethodSource("moreThanOneReplica")
    void identityServiceRefusesMoreThanOneReplica(String chart, Map<String, Object> values, String detail) {
        assertThatThrownBy(() -> Charts.template(chart, values)).hasMessageContaining(REFUSAL).hasMessageContaining(detail);
    }

    @Test
    void identityServiceRendersOneReplicaOrNone() {
        for (int replicas : new int[] {0, 1}) {
            List<Manifest> manifests = Charts.render("identity-service", Map.of("replicaCount", replicas));
            assertThat(Manifests.one(manifests, "Deployment", "identity-service").as(Deployment.class).getSpec().getReplicas())
                    .isEqualTo(replicas);
            assertThat(Manifests.ofKind(manifests, "HorizontalPodAutoscaler")).isEmpty();
        }
    }

    @Test
    void theOtherServicesStillScale() {
        for (String service : List.of("rfm-service", "churn-service", "campaign-service")) {
            List<Manifest> autoscaled = Charts.render(service, Map.of("autoscaling.enabled", true,
                    "autoscaling.minReplicas", 2, "autoscaling.maxReplicas", 4));
            var hpa = Manifests.one(autoscaled, "HorizontalPodAutoscaler", service).as(HorizontalPodAutoscaler.class).getSpec();
            assertThat(List.of(hpa.getMinReplicas(), hpa.getMaxReplicas())).as(service).containsExactly(2, 4);

            List<Manifest> fixed = Charts.render(service, Map.of("autoscaling.enabled", false, "replicaCount", 3));
            assertThat(Manifests.one(fixed, "Deployment", service).as(Deployment.class).getSpec().getReplicas())
                    .as(service).isEqualTo(3);

            assertThat(Manifests.ofKind(Charts.render(service, Map.of("keda.enabled", true)), "ScaledObject"))
                    .as(service).hasSize(1);
        }
    }
}
