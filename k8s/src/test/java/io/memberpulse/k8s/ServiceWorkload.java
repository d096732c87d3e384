package io.memberpulse.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** A service's rendered Deployment and ConfigMap, as the security tests read them. */
final class ServiceWorkload {
    private ServiceWorkload() {
    }

    /** "secret/key" of an env entry that must come from a Secret, never a literal value. */
    static String secretKey(EnvVar var) {
        assertThat(var).isNotNull();
        assertThat(var.getValue()).isNull();
        return var.getValueFrom().getSecretKeyRef().getName() + "/" + var.getValueFrom().getSecretKeyRef().getKey();
    }

    static Map<String, String> configData(List<Manifest> manifests, String service) {
        return Manifests.one(manifests, "ConfigMap", service + "-config").as(ConfigMap.class).getData();
    }

    /** The service container's env entries by name. */
    static Map<String, EnvVar> env(List<Manifest> manifests, String service) {
        return ServiceChartsTest.container(manifests, service).getEnv().stream()
                .collect(Collectors.toMap(EnvVar::getName, e -> e));
    }

    static PodSpec pod(List<Manifest> manifests, String service) {
        return Manifests.one(manifests, "Deployment", service).as(Deployment.class).getSpec().getTemplate().getSpec();
    }
}
