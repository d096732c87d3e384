package io.memberpulse.k8s;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The offline schema check refuses what an API server would. */
class KubernetesSchemaTest {

    private static final String DEPLOYMENT = """
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: demo
              labels: {app: demo}
            spec:
              selector:
                matchLabels: {app: demo}
              template:
                metadata:
                  labels: {app: demo}
                spec:
                  containers:
                    - name: demo
                      image: demo:1
                      imagePullPolicy: IfNotPresent
                      ports: [{name: http, containerPort: 8080, protocol: TCP}]
                      resources: {requests: {cpu: 100m}}
                      livenessProbe: {httpGet: {path: /q/health/live, port: http}}
                      readinessProbe: {httpGet: {path: /q/health/ready, port: http}}
            """;

    @Test
    void aValidDeploymentPasses() {
        assertThatCode(() -> KubernetesSchema.validate(Manifests.parse(DEPLOYMENT))).doesNotThrowAnyException();
    }

    @Test
    void aMisspelledFieldFails() {
        String typo = DEPLOYMENT.replace("readinessProbe: {httpGet", "readinessProbe: {periodSecond: 5, httpGet");

        assertThatThrownBy(() -> KubernetesSchema.validate(Manifests.parse(typo)))
                .hasMessageContaining("readinessProbe.periodSecond");
    }

    @Test
    void aFieldOfTheWrongTypeFails() {
        String wrongType = DEPLOYMENT.replace("containerPort: 8080", "containerPort: [8080]");

        assertThatThrownBy(() -> KubernetesSchema.validate(Manifests.parse(wrongType))).hasMessageContaining("containerPort");
    }

    @Test
    void podLabelsThatMissTheSelectorFail() {
        String orphan = DEPLOYMENT.replace("  labels: {app: demo}\n    spec:", "  labels: {app: other}\n    spec:");

        assertThatThrownBy(() -> KubernetesSchema.validate(Manifests.parse(orphan))).hasMessageContaining("must match its selector");
    }

    @Test
    void anUnknownApiVersionFails() {
        String old = DEPLOYMENT.replace("apiVersion: apps/v1", "apiVersion: extensions/v1beta1");

        assertThatThrownBy(() -> KubernetesSchema.validate(Manifests.parse(old))).isInstanceOf(AssertionError.class);
    }

    @Test
    void aCustomResourceWithoutItsRequiredSpecFails() {
        String topic = """
                apiVersion: kafka.strimzi.io/v1beta2
                kind: KafkaTopic
                metadata: {name: member-events, labels: {strimzi.io/cluster: kafka}}
                spec: {topicName: member.events, partitions: 4}
                """;

        assertThatThrownBy(() -> KubernetesSchema.validate(Manifests.parse(topic))).hasMessageContaining("replicas");
    }

    private static final String NETWORK_POLICY = """
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: demo, labels: {app: demo}}
            spec:
              podSelector: {matchLabels: {app: demo}}
              policyTypes: [Ingress]
              ingress:
                - from:
                    - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: ingress-nginx}}
                    - ipBlock: {cidr: 10.0.0.0/16}
                  ports: [{port: 8080, protocol: TCP}]
            """;

    @Test
    void aValidNetworkPolicyPasses() {
        assertThatCode(() -> KubernetesSchema.validate(Manifests.parse(NETWORK_POLICY))).doesNotThrowAnyException();
    }

    @Test
    void aNetworkPolicyPeerWithAnIpBlockAndASelectorFails() {
        String mixed = NETWORK_POLICY.replace("- ipBlock: {cidr: 10.0.0.0/16}",
                "- ipBlock: {cidr: 10.0.0.0/16}\n          podSelector: {matchLabels: {app: web}}");

        assertThatThrownBy(() -> KubernetesSchema.validate(Manifests.parse(mixed))).hasMessageContaining("ipBlock with a selector");
    }

    @Test
    void aNetworkPolicyPortOutOfRangeOrWithAnUnknownProtocolFails() {
        assertThatThrownBy(() -> KubernetesSchema.validate(Manifests.parse(NETWORK_POLICY.replace("port: 8080", "port: 80800"))))
                .hasMessageContaining("ingress port");
        assertThatThrownBy(() -> KubernetesSchema.validate(Manifests.parse(NETWORK_POLICY.replace("protocol: TCP", "protocol: HTTP"))))
                .hasMessageContaining("protocol of ingress port");
    }

    @Test
    void networkPolicyRulesWithoutTheirPolicyTypeFail() {
        String egressOnly = NETWORK_POLICY.replace("policyTypes: [Ingress]", "policyTypes: [Egress]");

        assertThatThrownBy(() -> KubernetesSchema.validate(Manifests.parse(egressOnly))).hasMessageContaining("need policyType Ingress");
    }
}
