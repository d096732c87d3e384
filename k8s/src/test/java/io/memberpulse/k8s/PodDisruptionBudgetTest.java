package io.memberpulse.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetSpec;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The PodDisruptionBudget takes the values as given: 0 is a value (Helm's default treats it as unset). */
class PodDisruptionBudgetTest {

    private static PodDisruptionBudgetSpec pdb(String chart, String service, Map<String, ?> values) {
        return Manifests.one(Charts.render(chart, values), "PodDisruptionBudget", service).as(PodDisruptionBudget.class).getSpec();
    }

    private static PodDisruptionBudgetSpec pdb(String service, String valuesYaml) {
        return Manifests.one(Charts.render(service, valuesYaml), "PodDisruptionBudget", service).as(PodDisruptionBudget.class).getSpec();
    }

    @Test
    void byDefaultOnePodMayBeEvicted() {
        for (String service : Charts.SERVICES) {
            PodDisruptionBudgetSpec spec = pdb(service, service, Map.of());
            assertThat(spec.getMaxUnavailable()).as(service).isEqualTo(new IntOrString(1));
            assertThat(spec.getMinAvailable()).as(service).isNull();
        }
    }

    @Test
    void maxUnavailableZeroIsZero() {
        PodDisruptionBudgetSpec set = pdb("rfm-service", "rfm-service", Map.of("podDisruptionBudget.maxUnavailable", 0));
        assertThat(set.getMaxUnavailable()).as("--set").isEqualTo(new IntOrString(0));
        assertThat(set.getMinAvailable()).isNull();

        PodDisruptionBudgetSpec file = pdb("identity-service", "podDisruptionBudget:\n  maxUnavailable: 0\n");
        assertThat(file.getMaxUnavailable()).as("values file").isEqualTo(new IntOrString(0));

        PodDisruptionBudgetSpec umbrella = pdb(Charts.UMBRELLA, "churn-service", Map.of("churn-service.podDisruptionBudget.maxUnavailable", 0));
        assertThat(umbrella.getMaxUnavailable()).as("umbrella").isEqualTo(new IntOrString(0));
    }

    @Test
    void minAvailableZeroIsZero() {
        PodDisruptionBudgetSpec spec = pdb("campaign-service", "podDisruptionBudget:\n  minAvailable: 0\n");
        assertThat(spec.getMinAvailable()).isEqualTo(new IntOrString(0));
        assertThat(spec.getMaxUnavailable()).as("one of the two").isNull();
    }

    @Test
    void minAvailableWinsAndPercentagesPassThrough() {
        PodDisruptionBudgetSpec spec = pdb("rfm-service", "rfm-service", Map.of("podDisruptionBudget.minAvailable", "50%"));
        assertThat(spec.getMinAvailable()).isEqualTo(new IntOrString("50%"));
        assertThat(spec.getMaxUnavailable()).isNull();

        PodDisruptionBudgetSpec percent = pdb("churn-service", "podDisruptionBudget:\n  maxUnavailable: 25%\n");
        assertThat(percent.getMaxUnavailable()).isEqualTo(new IntOrString("25%"));
    }
}
