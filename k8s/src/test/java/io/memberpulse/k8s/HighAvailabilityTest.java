package io.memberpulse.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.TopologySpreadConstraint;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A node drain or a lost node leaves every horizontally scaled service running: more pods at the minimum than the
 * PodDisruptionBudget lets go at once, spread over nodes and zones. identity-service stays one pod (single writer).
 */
class HighAvailabilityTest {

    static List<String> scaled() {
        return List.of("rfm-service", "churn-service", "campaign-service");
    }

    @ParameterizedTest
    @MethodSource("scaled")
    void aDrainNeverEvictsTheLastPod(String service) {
        List<Manifest> manifests = Charts.defaults();
        int maxUnavailable = Manifests.one(manifests, "PodDisruptionBudget", service).as(PodDisruptionBudget.class)
                .getSpec().getMaxUnavailable().getIntVal();
        int minReplicas = Manifests.one(manifests, "HorizontalPodAutoscaler", service).as(HorizontalPodAutoscaler.class)
                .getSpec().getMinReplicas();
        assertThat(minReplicas).as("%s: HPA minReplicas > PDB maxUnavailable", service).isGreaterThan(maxUnavailable);

        Map<String, Object> scaledObject = KubernetesSchema.spec(Manifests.one(
                Charts.render(Charts.UMBRELLA, Map.of(service + ".keda.enabled", true)), "ScaledObject", service));
        assertThat((Integer) scaledObject.get("minReplicaCount")).as("%s with KEDA", service).isGreaterThan(maxUnavailable);

        Integer fixed = Manifests.one(Charts.render(service, Map.of("autoscaling.enabled", false)), "Deployment", service)
                .as(Deployment.class).getSpec().getReplicas();
        assertThat(fixed).as("%s with a fixed size", service).isGreaterThan(maxUnavailable);
    }

    @ParameterizedTest
    @MethodSource("io.memberpulse.k8s.Charts#services")
    void podsSpreadSoftlyOverNodesAndZones(String service) {
        List<Manifest> manifests = Charts.defaults();
        Deployment deployment = Manifests.one(manifests, "Deployment", service).as(Deployment.class);
        PodSpec pod = deployment.getSpec().getTemplate().getSpec();
        assertThat(pod.getTopologySpreadConstraints()).extracting(TopologySpreadConstraint::getTopologyKey)
                .containsExactly("kubernetes.io/hostname", "topology.kubernetes.io/zone");
        for (TopologySpreadConstraint constraint : pod.getTopologySpreadConstraints()) {
            assertThat(constraint.getWhenUnsatisfiable()).as("soft: a pod is never left pending for it").isEqualTo("ScheduleAnyway");
            assertThat(constraint.getMaxSkew()).isEqualTo(1);
            assertThat(constraint.getLabelSelector().getMatchLabels()).as("this service's pods only")
                    .isEqualTo(deployment.getSpec().getSelector().getMatchLabels());
        }
    }

    @Test
    void ownConstraintsReplaceTheDefaultAndItCanBeSwitchedOff() {
        PodSpec own = ServiceWorkload.pod(Charts.render("rfm-service", """
                topologySpreadConstraints:
                  - maxSkew: 2
                    topologyKey: topology.kubernetes.io/zone
                    whenUnsatisfiable: DoNotSchedule
                    labelSelector: {matchLabels: {app.kubernetes.io/name: rfm-service}}
                """), "rfm-service");
        assertThat(own.getTopologySpreadConstraints()).singleElement().extracting(TopologySpreadConstraint::getMaxSkew).isEqualTo(2);

        PodSpec none = ServiceWorkload.pod(Charts.render("churn-service", Map.of("spreadPods", false)), "churn-service");
        assertThat(none.getTopologySpreadConstraints()).isEmpty();
    }

    @Test
    void identityServiceStaysOneRecreatedPod() {
        List<Manifest> manifests = Charts.defaults();
        Deployment identity = Manifests.one(manifests, "Deployment", "identity-service").as(Deployment.class);
        assertThat(identity.getSpec().getReplicas()).isEqualTo(1);
        assertThat(identity.getSpec().getStrategy().getType()).isEqualTo("Recreate");
    }
}
