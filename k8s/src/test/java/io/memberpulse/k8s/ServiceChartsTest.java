package io.memberpulse.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Each service's objects, as the umbrella chart renders them, agree with the service's own configuration. */
class ServiceChartsTest {

    /** Variables the chart must set: every connection (the rest keep the defaults of application.properties). */
    private static final Set<String> CONNECTIONS = Set.of("HTTP_PORT", "GRPC_PORT", "POSTGRES_HOST", "POSTGRES_PORT",
            "POSTGRES_DB", "POSTGRES_USER", "POSTGRES_PASSWORD", "REDIS_HOST", "REDIS_PORT", "KAFKA_BOOTSTRAP_SERVERS");

    @ParameterizedTest
    @MethodSource("io.memberpulse.k8s.Charts#services")
    void probesAndPortsAreTheServicesOwn(String service) {
        ServiceConfig config = ServiceConfig.of(service);
        Container container = container(Charts.defaults(), service);

        assertThat(container.getPorts()).extracting(ContainerPort::getName, ContainerPort::getContainerPort)
                .containsExactlyInAnyOrder(tuple("http", config.httpPort()),
                        tuple("grpc", config.grpcPort()));
        assertProbe(container.getLivenessProbe(), "/q/health/live", container, config.httpPort());
        assertProbe(container.getReadinessProbe(), "/q/health/ready", container, config.httpPort());
        assertProbe(container.getStartupProbe(), "/q/health/started", container, config.httpPort());

        Service kubernetesService = Manifests.one(Charts.defaults(), "Service", service).as(Service.class);
        assertThat(kubernetesService.getSpec().getPorts()).extracting(ServicePort::getName, ServicePort::getPort)
                .containsExactlyInAnyOrder(tuple("http", config.httpPort()),
                        tuple("grpc", config.grpcPort()));
    }

    /** Variables an extension reads from the environment itself, with no line in application.properties. */
    static final Set<String> READ_BY_EXTENSIONS = Set.of("MP_JWT_VERIFY_PUBLICKEY_LOCATION", // smallrye-jwt
            // quarkus-kafka-client: each KAFKA_X_Y variable is the Kafka client setting x.y (application.properties)
            "KAFKA_SASL_MECHANISM", "KAFKA_SASL_JAAS_CONFIG", "KAFKA_SSL_TRUSTSTORE_LOCATION",
            "KAFKA_SSL_TRUSTSTORE_PASSWORD", "KAFKA_SSL_TRUSTSTORE_TYPE",
            // Quarkus itself: QUARKUS_X_Y is the property quarkus.x.y, over application.properties (PostgresConnectionBudgetTest)
            "QUARKUS_DATASOURCE_REACTIVE_MAX_SIZE", "QUARKUS_DATASOURCE_JDBC_MAX_SIZE");

    @ParameterizedTest
    @MethodSource("io.memberpulse.k8s.Charts#services")
    void theConfigMapAndSecretSetEveryConnectionTheServiceReads(String service) {
        ServiceConfig config = ServiceConfig.of(service);
        Map<String, String> data = Manifests.one(Charts.defaults(), "ConfigMap", service + "-config").as(ConfigMap.class).getData();

        assertThat(data).containsEntry("HTTP_PORT", String.valueOf(config.httpPort()))
                .containsEntry("GRPC_PORT", String.valueOf(config.grpcPort()))
                .containsEntry("POSTGRES_DB", config.database());
        Set<String> provided = new HashSet<>(data.keySet());
        provided.addAll(Set.of("POSTGRES_USER", "POSTGRES_PASSWORD")); // from <service>-config-creds
        assertThat(provided).as("variables the chart sets for %s", service).containsAll(CONNECTIONS);
        Set<String> read = new HashSet<>(config.environment());
        read.addAll(READ_BY_EXTENSIONS);
        assertThat(read).as("%s reads every variable its ConfigMap sets", service).containsAll(data.keySet());
        assertThat(secretName(container(Charts.defaults(), service))).isEqualTo(service + "-config-creds");
    }

    @Test
    void eachServiceScalesOnItsOwnValues() {
        List<Manifest> manifests = Charts.render(Charts.UMBRELLA, Map.of(
                "rfm-service.autoscaling.minReplicas", 3, "rfm-service.autoscaling.maxReplicas", 9,
                "churn-service.autoscaling.enabled", false, "churn-service.replicaCount", 3,
                "campaign-service.keda.enabled", true, "campaign-service.keda.maxReplicas", 2,
                "global.postgres.maxConnections", 200)); // 10 rfm pods need more than PostgreSQL's default 100

        assertThat(hpaBounds(manifests, "rfm-service")).containsExactly(3, 9);
        assertThat(Manifests.one(manifests, "Deployment", "rfm-service").as(Deployment.class).getSpec().getReplicas())
                .as("an autoscaled Deployment leaves replicas to its HPA").isNull();
        assertThat(Manifests.find(manifests, m -> m.kind().equals("HorizontalPodAutoscaler") && m.name().equals("identity-service")))
                .as("identity-service is a single writer").isEmpty();
        assertThat(Manifests.one(manifests, "Deployment", "identity-service").as(Deployment.class).getSpec().getReplicas()).isEqualTo(1);
        assertThat(Manifests.find(manifests, m -> m.kind().equals("HorizontalPodAutoscaler") && m.name().equals("churn-service"))).isEmpty();
        assertThat(Manifests.one(manifests, "Deployment", "churn-service").as(Deployment.class).getSpec().getReplicas()).isEqualTo(3);
        assertThat(Manifests.find(manifests, m -> m.kind().equals("HorizontalPodAutoscaler") && m.name().equals("campaign-service")))
                .as("KEDA owns campaign-service's scaling").isEmpty();
        Map<String, Object> scaledObject = KubernetesSchema.spec(Manifests.one(manifests, "ScaledObject", "campaign-service"));
        assertThat(scaledObject).containsEntry("maxReplicaCount", 2);
        assertThat(Manifests.ofKind(manifests, "ScaledObject")).hasSize(1);
    }

    @Test
    void globalConnectionsReachEveryServiceAndAServiceCanOverrideThem() {
        List<Manifest> manifests = Charts.render(Charts.UMBRELLA, Map.of(
                "global.postgres.host", "pg.db.svc", "global.redis.host", "redis.cache.svc",
                "global.kafka.bootstrapServers", "kafka-bootstrap.kafka.svc:9092",
                "global.credentials.existingSecret", "memberpulse-db", "global.image.registry", "registry.example.com",
                "global.image.tag", "1.2.3", "churn-service.postgres.host", "pg-churn.db.svc",
                "rfm-service.jvm.maxRAMPercentage", 60));

        for (String service : Charts.SERVICES) {
            Map<String, String> data = Manifests.one(manifests, "ConfigMap", service + "-config").as(ConfigMap.class).getData();
            assertThat(data).containsEntry("POSTGRES_HOST", service.equals("churn-service") ? "pg-churn.db.svc" : "pg.db.svc")
                    .containsEntry("REDIS_HOST", "redis.cache.svc")
                    .containsEntry("KAFKA_BOOTSTRAP_SERVERS", "kafka-bootstrap.kafka.svc:9092");
            Container container = container(manifests, service);
            assertThat(container.getImage()).isEqualTo("registry.example.com/memberpulse/" + service + ":1.2.3");
            assertThat(secretName(container)).isEqualTo("memberpulse-db");
        }
        assertThat(container(manifests, "rfm-service").getEnv()).extracting(EnvVar::getName, EnvVar::getValue)
                .contains(tuple("JAVA_OPTS_APPEND",
                        "-Dquarkus.http.host=0.0.0.0 -Djava.util.logging.manager=org.jboss.logmanager.LogManager -XX:MaxRAMPercentage=60 -XX:+ExitOnOutOfMemoryError"));
    }

    /** Keys fetched over plain http could be swapped on the way, and whoever swapped them could sign analyst tokens. */
    @Test
    void theTokenKeysNeverComeOverPlainHttp() {
        assertThatThrownBy(() -> Charts.template(Charts.UMBRELLA,
                Map.of("global.auth.publicKeyLocation", "http://sso.example.com/realms/retail/certs")))
                .hasMessageContaining("auth.publicKeyLocation http://sso.example.com/realms/retail/certs is plain http");
        assertThatThrownBy(() -> Charts.template("churn-service",
                Map.of("auth.publicKeyLocation", "HTTP://sso.example.com/certs")))
                .hasMessageContaining("is plain http");
        assertThat(Charts.template("churn-service", Map.of("auth.publicKeyLocation", "/etc/memberpulse/keys/public.pem")))
                .contains("/etc/memberpulse/keys/public.pem");
    }

    /** The key file that publicKeyLocation may name is mounted by the service's extra volumes, beside the CA mounts. */
    @Test
    void theTokenKeyFileIsMountedFromASecretBesideTheCaFiles() {
        List<Manifest> manifests = Charts.render(Charts.UMBRELLA, """
                global:
                  redis: {tls: true, ca: {secretName: redis-server-ca}}
                churn-service:
                  auth: {publicKeyLocation: /etc/memberpulse/keys/public.pem}
                  extraVolumes: [{name: token-keys, secret: {secretName: sso-public-key}}]
                  extraVolumeMounts: [{name: token-keys, mountPath: /etc/memberpulse/keys, readOnly: true}]
                """);
        assertThat(container(manifests, "churn-service").getVolumeMounts())
                .extracting(VolumeMount::getName, VolumeMount::getMountPath, VolumeMount::getReadOnly)
                .containsExactly(tuple("redis-ca", "/etc/memberpulse/redis-ca", true),
                        tuple("token-keys", "/etc/memberpulse/keys", true));
        assertThat(ServiceWorkload.pod(manifests, "churn-service").getVolumes())
                .extracting(Volume::getName, volume -> volume.getSecret().getSecretName())
                .containsExactly(tuple("redis-ca", "redis-server-ca"), tuple("token-keys", "sso-public-key"));
        assertThat(ServiceWorkload.configData(manifests, "churn-service"))
                .containsEntry("MP_JWT_VERIFY_PUBLICKEY_LOCATION", "/etc/memberpulse/keys/public.pem");
        // extra volumes belong to the service they are set on
        assertThat(ServiceWorkload.pod(manifests, "rfm-service").getVolumes()).extracting(Volume::getName)
                .containsExactly("redis-ca");
    }

    /** Every service verifies callers' tokens with the platform's identity provider; unset, none verifies. */
    @Test
    void theIdentityProviderReachesEveryServiceAndAServiceCanOverrideIt() {
        String jwks = "https://sso.example.com/realms/retail/protocol/openid-connect/certs";
        List<Manifest> manifests = Charts.render(Charts.UMBRELLA, Map.of(
                "global.auth.publicKeyLocation", jwks, "global.auth.issuer", "https://sso.example.com/realms/retail",
                "campaign-service.auth.issuer", "https://staff-sso.example.com", "global.auth.audience", "memberpulse-api"));
        for (String service : Charts.SERVICES) {
            Map<String, String> data = Manifests.one(manifests, "ConfigMap", service + "-config").as(ConfigMap.class).getData();
            assertThat(data).containsEntry("MP_JWT_VERIFY_PUBLICKEY_LOCATION", jwks)
                    .containsEntry("MEMBERPULSE_AUTH_ISSUER", service.equals("campaign-service")
                            ? "https://staff-sso.example.com" : "https://sso.example.com/realms/retail");
            assertThat(data).containsEntry("MEMBERPULSE_AUTH_AUDIENCE", "memberpulse-api");
            assertThat(ServiceConfig.of(service).environment()).as("%s reads the issuer and the audience", service)
                    .contains("MEMBERPULSE_AUTH_ISSUER", "MEMBERPULSE_AUTH_AUDIENCE");
        }
        for (String service : Charts.SERVICES) {
            assertThat(Manifests.one(Charts.defaults(), "ConfigMap", service + "-config").as(ConfigMap.class).getData())
                    .doesNotContainKeys("MP_JWT_VERIFY_PUBLICKEY_LOCATION", "MEMBERPULSE_AUTH_ISSUER",
                            "MEMBERPULSE_AUTH_AUDIENCE");
        }
    }

    @Test
    void nativeImagesTakeTheNativeTagAndNoJvmOptions() {
        Container container = container(Charts.render("churn-service", Map.of("image.native", true, "image.tag", "2.0.0")), "churn-service");

        assertThat(container.getImage()).isEqualTo("memberpulse/churn-service:2.0.0-native");
        assertThat(container.getArgs()).containsExactly("-XX:MaxRAMPercentage=70");
        assertThat(container.getEnv()).isEmpty();
    }

    @Test
    void aServicesNativeFalseWinsOverTheGlobalTrue() {
        // Helm's default takes false for unset: churn's false must keep the JVM image while the others run native
        List<Manifest> manifests = Charts.render(Charts.UMBRELLA, Map.of("global.image.native", true,
                "global.image.tag", "2.0.0", "churn-service.image.native", false));

        Container churn = container(manifests, "churn-service");
        assertThat(churn.getImage()).isEqualTo("memberpulse/churn-service:2.0.0");
        assertThat(churn.getEnv()).extracting(EnvVar::getName).contains("JAVA_OPTS_APPEND");
        assertThat(churn.getArgs()).isNullOrEmpty();
        Container rfm = container(manifests, "rfm-service");
        assertThat(rfm.getImage()).isEqualTo("memberpulse/rfm-service:2.0.0-native");
        assertThat(rfm.getEnv()).extracting(EnvVar::getName).doesNotContain("JAVA_OPTS_APPEND");
    }

    @Test
    void aServicesNativeTrueWinsOverTheGlobalFalse() {
        List<Manifest> manifests = Charts.render(Charts.UMBRELLA, Map.of("global.image.tag", "2.0.0",
                "churn-service.image.native", true));

        assertThat(container(manifests, "churn-service").getImage()).isEqualTo("memberpulse/churn-service:2.0.0-native");
        assertThat(container(manifests, "rfm-service").getImage()).isEqualTo("memberpulse/rfm-service:2.0.0");
        assertThatThrownBy(() -> Charts.render(Charts.UMBRELLA, Map.of("churn-service.image.native", "yes")))
                .hasMessageContaining("image.native is yes: it must be true or false");
    }

    /**
     * Two installs sharing one Redis must not read each other's keys: unless set, a service's key prefix names the
     * release's namespace (and the service); a prefix that is set is used as it is.
     */
    @Test
    void redisKeyPrefixesDifferAcrossNamespacesUnlessSet() {
        List<Manifest> shopA = Charts.renderIn("shop-a", Charts.UMBRELLA, Map.of());
        List<Manifest> shopB = Charts.renderIn("shop-b", Charts.UMBRELLA, Map.of());
        Set<String> prefixes = new HashSet<>();
        for (String service : Charts.SERVICES) {
            String a = redisKeyPrefix(shopA, service);
            String b = redisKeyPrefix(shopB, service);
            assertThat(a).as(service).isEqualTo("mp:shop-a:" + service.replace("-service", "") + ":");
            assertThat(b).as(service).isEqualTo("mp:shop-b:" + service.replace("-service", "") + ":");
            prefixes.add(a);
            prefixes.add(b);
        }
        assertThat(prefixes).as("no two services or installs share a prefix").hasSize(2 * Charts.SERVICES.size());

        List<Manifest> set = Charts.renderIn("shop-a", Charts.UMBRELLA, Map.of("churn-service.redis.keyPrefix", "mp:churn:"));
        assertThat(redisKeyPrefix(set, "churn-service")).isEqualTo("mp:churn:");
    }

    private static String redisKeyPrefix(List<Manifest> manifests, String service) {
        return Manifests.one(manifests, "ConfigMap", service + "-config").as(ConfigMap.class).getData().get("REDIS_KEY_PREFIX");
    }

    static String secretName(Container container) {
        return container.getEnvFrom().stream().filter(source -> source.getSecretRef() != null)
                .map(source -> source.getSecretRef().getName()).findFirst().orElseThrow();
    }

    private static List<Integer> hpaBounds(List<Manifest> manifests, String service) {
        var spec = Manifests.one(manifests, "HorizontalPodAutoscaler", service).as(HorizontalPodAutoscaler.class).getSpec();
        return List.of(spec.getMinReplicas(), spec.getMaxReplicas());
    }

    static Container container(List<Manifest> manifests, String service) {
        List<Container> containers = Manifests.one(manifests, "Deployment", service).as(Deployment.class)
                .getSpec().getTemplate().getSpec().getContainers();
        assertThat(containers).hasSize(1);
        return containers.get(0);
    }

    /** The probe asks the given path on the named port that is the service's HTTP port. */
    private static void assertProbe(Probe probe, String path, Container container, int httpPort) {
        assertThat(probe).isNotNull();
        assertThat(probe.getHttpGet().getPath()).isEqualTo(path);
        String portName = probe.getHttpGet().getPort().getStrVal();
        assertThat(container.getPorts()).filteredOn(port -> port.getName().equals(portName))
                .singleElement().extracting(ContainerPort::getContainerPort).isEqualTo(httpPort);
    }
}
