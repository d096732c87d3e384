package io.memberpulse.k8s;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.Map;

/**
 * One rendered document: the template it came from, its plain YAML tree, and the fabric8 model
 * object it deserializes to (a typed class for Kubernetes kinds, GenericKubernetesResource for CRDs).
 */
record Manifest(String source, Map<String, Object> tree, HasMetadata resource) {

    String kind() {
        return resource.getKind();
    }

    String apiVersion() {
        return resource.getApiVersion();
    }

    String name() {
        return resource.getMetadata().getName();
    }

    <T extends HasMetadata> T as(Class<T> type) {
        return type.cast(resource);
    }

    @Override
    public String toString() {
        return kind() + "/" + name() + " (" + source + ")";
    }
}
