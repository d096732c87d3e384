package io.memberpulse.k8s;

import static io.memberpulse.k8s.ServiceWorkload.configData;
import static io.memberpulse.k8s.ServiceWorkload.env;
import static io.memberpulse.k8s.ServiceWorkload.pod;
import static io.memberpulse.k8s.ServiceWorkload.secretKey;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * global.kafka.security (and a service's kafka.security) reaches every service as the KAFKA_* variables its
 * application.properties and quarkus-kafka-client read: non-secret ones in the ConfigMap, the JAAS line and
 * passwords only from Secrets, the CA as a mounted file; nothing at all when unset.
 */
class KafkaSecurityTest {
    static final String SCRAM_JAAS = "org.apache.kafka.common.security.scram.ScramLoginModule required"
            + " username=\"$(MEMBERPULSE_KAFKA_USERNAME)\" password=\"$(MEMBERPULSE_KAFKA_PASSWORD)\";";
    static final Map<String, Object> SASL_SSL = Map.of(
            "global.kafka.security.protocol", "SASL_SSL",
            "global.kafka.security.sasl.mechanism", "SCRAM-SHA-512",
            "global.kafka.security.sasl.existingSecret", "memberpulse-kafka",
            "global.kafka.security.truststore.secretName", "kafka-cluster-ca-cert");

    @Test
    void unsetRendersNoKafkaSecurityAtAll() {
        List<Manifest> manifests = Charts.render(Charts.UMBRELLA, Map.of("rfm-service.keda.enabled", true));
        for (String service : Charts.SERVICES) {
            assertThat(configData(manifests, service).keySet()).noneMatch(key -> key.startsWith("KAFKA_") && !key.equals("KAFKA_BOOTSTRAP_SERVERS"));
            Container container = ServiceChartsTest.container(manifests, service);
            assertThat(container.getEnv()).extracting(EnvVar::getName).noneMatch(name -> name.contains("KAFKA"));
            assertThat(container.getVolumeMounts()).isEmpty();
            assertThat(pod(manifests, service).getVolumes()).isEmpty();
        }
        assertThat(Manifests.ofKind(manifests, "TriggerAuthentication")).isEmpty();
        assertThat(KubernetesSchema.spec(Manifests.one(manifests, "ScaledObject", "rfm-service")).toString())
                .doesNotContain("authenticationRef", "sasl");
    }

    @Test
    void saslOverTlsReachesEveryServiceWithPasswordsOnlyFromSecrets() {
        List<Manifest> manifests = Charts.render(Charts.UMBRELLA, SASL_SSL);
        for (String service : Charts.SERVICES) {
            Map<String, String> data = configData(manifests, service);
            assertThat(data).containsEntry("KAFKA_SECURITY_PROTOCOL", "SASL_SSL")
                    .containsEntry("KAFKA_SASL_MECHANISM", "SCRAM-SHA-512")
                    .containsEntry("KAFKA_SSL_TRUSTSTORE_LOCATION", "/etc/memberpulse/kafka-truststore/ca.crt")
                    .containsEntry("KAFKA_SSL_TRUSTSTORE_TYPE", "PEM")
                    .doesNotContainKeys("KAFKA_SASL_JAAS_CONFIG", "KAFKA_SSL_TRUSTSTORE_PASSWORD");
            assertThat(String.join(" ", data.values())).doesNotContain("password=");

            Container container = ServiceChartsTest.container(manifests, service);
            Map<String, EnvVar> env = container.getEnv().stream().collect(Collectors.toMap(EnvVar::getName, e -> e));
            assertThat(secretKey(env.get("MEMBERPULSE_KAFKA_USERNAME"))).isEqualTo("memberpulse-kafka/username");
            assertThat(secretKey(env.get("MEMBERPULSE_KAFKA_PASSWORD"))).isEqualTo("memberpulse-kafka/password");
            assertThat(env.get("KAFKA_SASL_JAAS_CONFIG").getValue()).isEqualTo(SCRAM_JAAS);
            List<String> order = container.getEnv().stream().map(EnvVar::getName).toList();
            assertThat(order.indexOf("KAFKA_SASL_JAAS_CONFIG")).as("$(VAR) only refers to entries defined before it")
                    .isGreaterThan(order.indexOf("MEMBERPULSE_KAFKA_PASSWORD"));

            assertThat(container.getVolumeMounts()).singleElement().satisfies(mount -> {
                assertThat(mount.getName()).isEqualTo("kafka-truststore");
                assertThat(mount.getMountPath()).isEqualTo("/etc/memberpulse/kafka-truststore");
                assertThat(mount.getReadOnly()).isTrue();
            });
            assertThat(pod(manifests, service).getVolumes()).singleElement()
                    .satisfies(volume -> assertThat(volume.getSecret().getSecretName()).isEqualTo("kafka-cluster-ca-cert"));

            Set<String> read = new HashSet<>(ServiceConfig.of(service).environment());
            read.addAll(ServiceChartsTest.READ_BY_EXTENSIONS);
            Set<String> kafkaVariables = new HashSet<>(data.keySet());
            kafkaVariables.addAll(env.keySet());
            kafkaVariables.removeIf(name -> !name.startsWith("KAFKA_"));
            assertThat(read).as("%s reads every Kafka variable the chart sets", service).containsAll(kafkaVariables);
        }
    }

    @Test
    void aServiceOverridesOneFieldAndKeepsTheRest() {
        Map<String, Object> values = new HashMap<>(SASL_SSL);
        values.put("campaign-service.kafka.security.sasl.existingSecret", "campaign-kafka-user");
        values.put("campaign-service.kafka.security.sasl.jaasConfigKey", "sasl.jaas.config");
        values.put("churn-service.kafka.security.sasl.mechanism", "PLAIN");
        List<Manifest> manifests = Charts.render(Charts.UMBRELLA, values);

        Map<String, EnvVar> campaign = env(manifests, "campaign-service");
        assertThat(secretKey(campaign.get("KAFKA_SASL_JAAS_CONFIG"))).isEqualTo("campaign-kafka-user/sasl.jaas.config");
        assertThat(campaign).doesNotContainKeys("MEMBERPULSE_KAFKA_USERNAME", "MEMBERPULSE_KAFKA_PASSWORD");
        assertThat(configData(manifests, "campaign-service")).containsEntry("KAFKA_SECURITY_PROTOCOL", "SASL_SSL");
        assertThat(configData(manifests, "churn-service")).containsEntry("KAFKA_SASL_MECHANISM", "PLAIN");
        assertThat(env(manifests, "churn-service").get("KAFKA_SASL_JAAS_CONFIG").getValue())
                .startsWith("org.apache.kafka.common.security.plain.PlainLoginModule required");
        assertThat(env(manifests, "rfm-service").get("KAFKA_SASL_JAAS_CONFIG").getValue()).isEqualTo(SCRAM_JAAS);
    }

    @Test
    void aPkcs12TruststoreFromAConfigMapIsRefusedButAPemOneIsMounted() {
        List<Manifest> manifests = Charts.render("rfm-service", Map.of("kafka.security.protocol", "SSL",
                "kafka.security.truststore.configMapName", "kafka-ca"));
        assertThat(pod(manifests, "rfm-service").getVolumes()).singleElement()
                .satisfies(volume -> assertThat(volume.getConfigMap().getName()).isEqualTo("kafka-ca"));
        assertThat(env(manifests, "rfm-service")).doesNotContainKey("KAFKA_SASL_JAAS_CONFIG");

        assertThatThrownBy(() -> Charts.template("rfm-service", Map.of("kafka.security.protocol", "SSL",
                "kafka.security.truststore.configMapName", "kafka-ca", "kafka.security.truststore.passwordKey", "password")))
                .hasMessageContaining("a password never goes into a ConfigMap");
        List<Manifest> pkcs12 = Charts.render("rfm-service", Map.of("kafka.security.protocol", "SSL",
                "kafka.security.truststore.secretName", "kafka-ca", "kafka.security.truststore.key", "ca.p12",
                "kafka.security.truststore.type", "PKCS12", "kafka.security.truststore.passwordKey", "ca.password"));
        assertThat(secretKey(env(pkcs12, "rfm-service").get("KAFKA_SSL_TRUSTSTORE_PASSWORD"))).isEqualTo("kafka-ca/ca.password");
        assertThat(configData(pkcs12, "rfm-service")).containsEntry("KAFKA_SSL_TRUSTSTORE_TYPE", "PKCS12")
                .containsEntry("KAFKA_SSL_TRUSTSTORE_LOCATION", "/etc/memberpulse/kafka-truststore/ca.p12");
    }

    @Test
    void incompleteOrContradictorySettingsFailToRender() {
        assertThatThrownBy(() -> Charts.template("rfm-service", Map.of("kafka.security.protocol", "SASL_SSL",
                "kafka.security.sasl.mechanism", "SCRAM-SHA-512")))
                .hasMessageContaining("kafka.security.sasl.existingSecret");
        assertThatThrownBy(() -> Charts.template("rfm-service", Map.of("kafka.security.sasl.existingSecret", "s",
                "kafka.security.sasl.mechanism", "PLAIN")))
                .hasMessageContaining("use SASL_SSL or SASL_PLAINTEXT");
        assertThatThrownBy(() -> Charts.template("rfm-service", Map.of("kafka.security.protocol", "SASL_TLS")))
                .hasMessageContaining("must be PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL");
        assertThatThrownBy(() -> Charts.template("rfm-service", Map.of("kafka.security.protocol", "SASL_SSL",
                "kafka.security.sasl.mechanism", "OAUTHBEARER", "kafka.security.sasl.existingSecret", "s")))
                .hasMessageContaining("jaasConfigKey");
    }

    /** KEDA reads the lag as the same Kafka user, through a TriggerAuthentication on the same Secrets. */
    @Test
    void kedaSignsInWithTheSameSecrets() {
        Map<String, Object> values = new HashMap<>(SASL_SSL);
        values.put("rfm-service.keda.enabled", true);
        List<Manifest> manifests = Charts.render(Charts.UMBRELLA, values);

        @SuppressWarnings("unchecked")
        Map<String, Object> trigger = ((List<Map<String, Object>>) KubernetesSchema.spec(
                Manifests.one(manifests, "ScaledObject", "rfm-service")).get("triggers")).get(0);
        assertThat((Map<String, Object>) trigger.get("metadata")).containsEntry("sasl", "scram_sha512").containsEntry("tls", "enable");
        assertThat(trigger.get("authenticationRef")).isEqualTo(Map.of("name", "rfm-service-kafka"));
        assertThat(KubernetesSchema.spec(Manifests.one(manifests, "TriggerAuthentication", "rfm-service-kafka")).get("secretTargetRef"))
                .isEqualTo(List.of(Map.of("parameter", "username", "name", "memberpulse-kafka", "key", "username"),
                        Map.of("parameter", "password", "name", "memberpulse-kafka", "key", "password"),
                        Map.of("parameter", "ca", "name", "kafka-cluster-ca-cert", "key", "ca.crt")));
        assertThat(Manifests.ofKind(manifests, "TriggerAuthentication")).hasSize(1);
    }
}
