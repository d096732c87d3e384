package io.memberpulse.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * What a cluster's API server would refuse, checked offline: apiVersion/kind pairs the model knows,
 * no field the model does not know (fabric8 keeps unknown or mistyped fields aside in
 * additionalProperties, so any there is a typo or a wrong type), the fields the API requires, valid
 * names and labels. Custom resources (CRDs of the Prometheus Operator, KEDA, Strimzi) are checked on
 * apiVersion, kind, metadata and their required spec keys.
 */
final class KubernetesSchema {

    private static final Map<String, Class<? extends HasMetadata>> BUILT_IN = Map.of(
            "v1/ConfigMap", ConfigMap.class,
            "v1/Secret", Secret.class,
            "v1/Service", Service.class,
            "apps/v1/Deployment", Deployment.class,
            "autoscaling/v2/HorizontalPodAutoscaler", HorizontalPodAutoscaler.class,
            "policy/v1/PodDisruptionBudget", PodDisruptionBudget.class,
            "networking.k8s.io/v1/NetworkPolicy", NetworkPolicy.class);

    private static final Map<String, List<String>> CUSTOM_SPEC_KEYS = Map.of(
            "monitoring.coreos.com/v1/ServiceMonitor", List.of("selector", "endpoints"),
            "monitoring.coreos.com/v1/PrometheusRule", List.of("groups"),
            "keda.sh/v1alpha1/ScaledObject", List.of("scaleTargetRef", "triggers"),
            "keda.sh/v1alpha1/TriggerAuthentication", List.of("secretTargetRef"),
            "kafka.strimzi.io/v1beta2/KafkaTopic", List.of("topicName", "partitions", "replicas"));

    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
    private static final Pattern DNS_SUBDOMAIN = Pattern.compile("[a-z0-9]([-a-z0-9.]*[a-z0-9])?");
    private static final Pattern LABEL_VALUE = Pattern.compile("(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?");
    private static final Pattern LABEL_KEY = Pattern.compile("([a-z0-9]([-a-z0-9.]*[a-z0-9])?/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?");
    private static final Pattern CIDR = Pattern.compile("(\\d{1,3}\\.){3}\\d{1,3}/\\d{1,2}|[0-9a-fA-F:]+/\\d{1,3}");

    private KubernetesSchema() {
    }

    static void validate(List<Manifest> manifests) {
        assertThat(manifests).isNotEmpty();
        manifests.forEach(KubernetesSchema::validate);
    }

    static void validate(Manifest manifest) {
        String type = manifest.apiVersion() + "/" + manifest.kind();
        assertThat(manifest.name()).as("name of %s", manifest).matches(DNS_SUBDOMAIN).hasSizeLessThanOrEqualTo(253);
        manifest.resource().getMetadata().getLabels().forEach((key, value) ->
                assertThat(value).as("label %s of %s", key, manifest).matches(LABEL_VALUE).hasSizeLessThanOrEqualTo(63));
        if (BUILT_IN.containsKey(type)) {
            assertThat(Manifests.KUBERNETES.getRegisteredKubernetesResource(manifest.apiVersion(), manifest.kind()))
                    .as("model class of %s", type).isEqualTo(BUILT_IN.get(type));
            assertThat(manifest.resource()).as("%s", manifest).isInstanceOf(BUILT_IN.get(type));
            assertThat(unknownFields(manifest.resource(), manifest.kind())).as("fields the model does not know in %s", manifest).isEmpty();
            required(manifest);
        } else if (CUSTOM_SPEC_KEYS.containsKey(type)) {
            assertThat(manifest.resource()).isInstanceOf(GenericKubernetesResource.class);
            assertThat(manifest.tree()).as("%s", manifest).containsOnlyKeys("apiVersion", "kind", "metadata", "spec");
            assertThat(spec(manifest)).as("spec of %s", manifest).containsKeys(CUSTOM_SPEC_KEYS.get(type).toArray(String[]::new));
        } else {
            throw new AssertionError("apiVersion/kind not known to this check: " + type + " in " + manifest.source());
        }
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> spec(Manifest manifest) {
        return (Map<String, Object>) manifest.tree().get("spec");
    }

    private static void required(Manifest manifest) {
        HasMetadata resource = manifest.resource();
        if (resource instanceof Deployment deployment) {
            deployment(deployment, manifest);
        } else if (resource instanceof Service service) {
            assertThat(manifest.name()).matches(DNS_LABEL).hasSizeLessThanOrEqualTo(63);
            assertThat(service.getSpec().getSelector()).as("selector of %s", manifest).isNotEmpty();
            assertThat(service.getSpec().getPorts()).isNotEmpty().allSatisfy(port -> {
                assertThat(port.getName()).matches(DNS_LABEL);
                assertThat(port.getPort()).isBetween(1, 65535);
                assertThat(port.getTargetPort()).isNotNull();
            });
        } else if (resource instanceof HorizontalPodAutoscaler hpa) {
            assertThat(hpa.getSpec().getScaleTargetRef().getKind()).isNotBlank();
            assertThat(hpa.getSpec().getScaleTargetRef().getName()).isNotBlank();
            assertThat(hpa.getSpec().getMinReplicas()).isPositive().isLessThanOrEqualTo(hpa.getSpec().getMaxReplicas());
            assertThat(hpa.getSpec().getMetrics()).isNotEmpty();
        } else if (resource instanceof PodDisruptionBudget pdb) {
            assertThat(pdb.getSpec().getSelector().getMatchLabels()).isNotEmpty();
            assertThat(pdb.getSpec().getMinAvailable() == null ^ pdb.getSpec().getMaxUnavailable() == null)
                    .as("exactly one of minAvailable and maxUnavailable in %s", manifest).isTrue();
        } else if (resource instanceof NetworkPolicy policy) {
            networkPolicy(policy, manifest);
        } else if (resource instanceof ConfigMap configMap) {
            assertThat(configMap.getData()).isNotEmpty()
                    .allSatisfy((key, value) -> assertThat(key).matches("[-._a-zA-Z0-9]+"));
        } else if (resource instanceof Secret secret) {
            assertThat(secret.getStringData()).isNotEmpty();
        } else {
            throw new AssertionError("no required-field rule for " + manifest);
        }
    }

    private static void deployment(Deployment deployment, Manifest manifest) {
        var spec = deployment.getSpec();
        assertThat(spec.getSelector().getMatchLabels()).as("selector of %s", manifest).isNotEmpty();
        assertThat(spec.getTemplate().getMetadata().getLabels()).as("pod labels of %s must match its selector", manifest)
                .containsAllEntriesOf(spec.getSelector().getMatchLabels());
        List<Container> containers = spec.getTemplate().getSpec().getContainers();
        assertThat(containers).isNotEmpty().allSatisfy(container -> {
            assertThat(container.getName()).matches(DNS_LABEL);
            assertThat(container.getImage()).matches("[^\\s:]+(:[^\\s:]+)?");
            assertThat(container.getImagePullPolicy()).isIn("Always", "IfNotPresent", "Never");
            assertThat(container.getPorts()).allSatisfy(port -> {
                assertThat(port.getContainerPort()).isBetween(1, 65535);
                assertThat(port.getName()).matches(DNS_LABEL).hasSizeLessThanOrEqualTo(15);
                assertThat(port.getProtocol()).isIn("TCP", "UDP", "SCTP");
            });
            assertThat(container.getResources().getRequests()).as("requests of %s (the HPA needs them)", manifest).containsKey("cpu");
            assertThat(container.getLivenessProbe()).isNotNull();
            assertThat(container.getReadinessProbe()).isNotNull();
        });
    }

    /** What the API server's NetworkPolicy validation refuses: bad policy types, peers, selectors and ports. */
    private static void networkPolicy(NetworkPolicy policy, Manifest manifest) {
        var spec = policy.getSpec();
        assertThat(spec.getPodSelector()).as("podSelector of %s", manifest).isNotNull();
        labelSelector(spec.getPodSelector(), "podSelector of " + manifest);
        assertThat(spec.getPolicyTypes()).as("policyTypes of %s", manifest).isNotEmpty().doesNotHaveDuplicates()
                .allSatisfy(type -> assertThat(type).isIn("Ingress", "Egress"));
        assertThat(spec.getIngress().isEmpty() || spec.getPolicyTypes().contains("Ingress"))
                .as("ingress rules of %s need policyType Ingress", manifest).isTrue();
        assertThat(spec.getEgress().isEmpty() || spec.getPolicyTypes().contains("Egress"))
                .as("egress rules of %s need policyType Egress", manifest).isTrue();
        spec.getIngress().forEach(rule -> {
            rule.getFrom().forEach(peer -> peer(peer, "ingress peer of " + manifest));
            rule.getPorts().forEach(port -> port(port, "ingress port of " + manifest));
        });
        spec.getEgress().forEach(rule -> {
            rule.getTo().forEach(peer -> peer(peer, "egress peer of " + manifest));
            rule.getPorts().forEach(port -> port(port, "egress port of " + manifest));
        });
    }

    private static void peer(NetworkPolicyPeer peer, String where) {
        boolean selects = peer.getPodSelector() != null || peer.getNamespaceSelector() != null;
        if (peer.getIpBlock() != null) {
            assertThat(selects).as("%s: ipBlock with a selector", where).isFalse();
            assertThat(peer.getIpBlock().getCidr()).as("cidr of %s", where).matches(CIDR);
            assertThat(peer.getIpBlock().getExcept()).as("except of %s", where).allSatisfy(cidr -> assertThat(cidr).matches(CIDR));
        } else {
            assertThat(selects).as("%s selects nothing (podSelector, namespaceSelector or ipBlock)", where).isTrue();
        }
        if (peer.getPodSelector() != null) {
            labelSelector(peer.getPodSelector(), where);
        }
        if (peer.getNamespaceSelector() != null) {
            labelSelector(peer.getNamespaceSelector(), where);
        }
    }

    private static void labelSelector(LabelSelector selector, String where) {
        selector.getMatchLabels().forEach((key, value) -> {
            assertThat(key).as("label key in %s", where).matches(LABEL_KEY);
            assertThat(value).as("label %s in %s", key, where).matches(LABEL_VALUE).hasSizeLessThanOrEqualTo(63);
        });
        selector.getMatchExpressions().forEach(expression ->
                assertThat(expression.getOperator()).as("operator in %s", where).isIn("In", "NotIn", "Exists", "DoesNotExist"));
    }

    private static void port(NetworkPolicyPort port, String where) {
        if (port.getProtocol() != null) { // the API server defaults it to TCP
            assertThat(port.getProtocol()).as("protocol of %s", where).isIn("TCP", "UDP", "SCTP");
        }
        IntOrString number = port.getPort();
        if (number == null) {
            assertThat(port.getEndPort()).as("endPort without port in %s", where).isNull();
        } else if (number.getIntVal() != null) {
            assertThat(number.getIntVal()).as("%s", where).isBetween(1, 65535);
            if (port.getEndPort() != null) {
                assertThat(port.getEndPort()).as("endPort of %s", where).isBetween(number.getIntVal(), 65535);
            }
        } else {
            assertThat(number.getStrVal()).as("named %s", where).matches(DNS_LABEL).hasSizeLessThanOrEqualTo(15);
            assertThat(port.getEndPort()).as("endPort with a named port in %s", where).isNull();
        }
    }

    /** Paths of every field fabric8 could not map onto its model (unknown name or wrong type). */
    static List<String> unknownFields(Object node, String path) {
        List<String> found = new ArrayList<>();
        walk(node, path, found);
        return found;
    }

    private static void walk(Object node, String path, List<String> found) {
        if (node == null || node instanceof String || node instanceof Number || node instanceof Boolean || node instanceof Enum) {
            return;
        }
        if (node instanceof Collection<?> items) {
            int i = 0;
            for (Object item : items) {
                walk(item, path + "[" + i++ + "]", found);
            }
            return;
        }
        if (node instanceof Map<?, ?> map) {
            map.forEach((key, value) -> walk(value, path + "." + key, found));
            return;
        }
        if (!node.getClass().getPackageName().startsWith("io.fabric8")) {
            return;
        }
        for (Method getter : node.getClass().getMethods()) {
            if (getter.getParameterCount() != 0 || Modifier.isStatic(getter.getModifiers())
                    || !getter.getName().startsWith("get") || getter.getName().equals("getClass")) {
                continue;
            }
            Object value = invoke(getter, node);
            if (getter.getName().equals("getAdditionalProperties")) {
                if (value instanceof Map<?, ?> extra && !extra.isEmpty()) {
                    extra.keySet().forEach(key -> found.add(path + "." + key));
                }
            } else {
                walk(value, path + "." + property(getter), found);
            }
        }
    }

    private static String property(Method getter) {
        String name = getter.getName().substring(3);
        return Character.toLowerCase(name.charAt(0)) + name.substring(1);
    }

    private static Object invoke(Method getter, Object target) {
        try {
            return getter.invoke(target);
        } catch (IllegalAccessException | InvocationTargetException e) {
            throw new IllegalStateException(getter + " on " + target, e);
        }
    }
}
