package io.memberpulse.k8s;

import static io.memberpulse.k8s.ServiceWorkload.configData;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each service's NetworkPolicy: it selects exactly the service's pods, admits the memberpulse pods, the
 * configured callers and (with the ServiceMonitor) Prometheus to exactly the ports the service exposes, and,
 * with egress on, lets the pods reach only DNS, each other and the datastores the service is configured with.
 */
class NetworkPolicyTest {

    private static final String EGRESS_ON = """
            global:
              postgres: {port: 6432}
              redis: {port: 6380}
              kafka: {bootstrapServers: "kafka-0.kafka.svc:9093, kafka-1.kafka.svc:9093,kafka-2.kafka.svc:9094"}
              networkPolicy:
                egress:
                  enabled: true
                  postgres: {to: [{ipBlock: {cidr: 10.20.0.0/24}}]}
                  redis: {to: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: cache}}}]}
                  kafka:
                    to:
                      - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kafka}}
                        podSelector: {matchLabels: {strimzi.io/kind: Kafka}}
            churn-service:
              postgres: {port: 5433}
            """;

    @ParameterizedTest
    @MethodSource("io.memberpulse.k8s.Charts#services")
    void byDefaultOnlyTheMemberpulsePodsReachTheServicesOwnPorts(String service) {
        NetworkPolicy policy = policy(Charts.defaults(), service);

        assertThat(policy.getSpec().getPodSelector().getMatchLabels()).as("the Deployment's selector")
                .isEqualTo(deployment(Charts.defaults(), service).getSpec().getSelector().getMatchLabels());
        for (Manifest other : Manifests.ofKind(Charts.defaults(), "Deployment")) {
            assertThat(selects(policy.getSpec().getPodSelector(), podLabels(other.as(Deployment.class))))
                    .as("%s's policy selects %s's pods", service, other.name()).isEqualTo(other.name().equals(service));
        }
        assertThat(policy.getSpec().getPolicyTypes()).containsExactly("Ingress");
        assertThat(policy.getSpec().getEgress()).isEmpty();
        NetworkPolicyIngressRule rule = assertThatSingleRule(policy);
        assertThat(ports(rule.getPorts())).as("the ports of %s's Deployment", service)
                .containsExactlyInAnyOrderElementsOf(containerPorts(Charts.defaults(), service));
        assertThat(ports(rule.getPorts())).as("the ports %s's Service forwards to", service)
                .containsExactlyInAnyOrderElementsOf(serviceTargetPorts(Charts.defaults(), service));
        NetworkPolicyPeer memberpulse = assertThatSinglePeer(rule);
        assertThat(memberpulse.getNamespaceSelector()).as("this namespace only").isNull();
        assertThat(memberpulse.getIpBlock()).isNull();
        for (Manifest deployment : Manifests.ofKind(Charts.defaults(), "Deployment")) {
            assertThat(selects(memberpulse.getPodSelector(), podLabels(deployment.as(Deployment.class))))
                    .as("%s admits %s's pods", service, deployment.name()).isTrue();
        }
    }

    @ParameterizedTest
    @MethodSource("io.memberpulse.k8s.Charts#services")
    void aServiceChartInstalledOnItsOwnHasTheSamePolicy(String service) {
        List<Manifest> manifests = Charts.render(service, Map.of());
        KubernetesSchema.validate(manifests);

        assertThat(Manifests.ofKind(manifests, "NetworkPolicy")).singleElement().extracting(Manifest::name).isEqualTo(service);
        assertThat(policy(manifests, service).getSpec()).isEqualTo(policy(Charts.defaults(), service).getSpec());
    }

    @Test
    void switchedOffGloballyOrPerServiceNoPolicyIsRendered() {
        assertThat(Manifests.ofKind(Charts.render(Charts.UMBRELLA, Map.of("global.networkPolicy.enabled", false)), "NetworkPolicy")).isEmpty();
        assertThat(Manifests.ofKind(Charts.render(Charts.UMBRELLA, Map.of("global.networkPolicy.enabled", false,
                "rfm-service.networkPolicy.enabled", true)), "NetworkPolicy")).extracting(Manifest::name).containsExactly("rfm-service");
        assertThat(Manifests.ofKind(Charts.render(Charts.UMBRELLA, Map.of("churn-service.networkPolicy.enabled", false)), "NetworkPolicy"))
                .extracting(Manifest::name).containsExactlyInAnyOrder("identity-service", "rfm-service", "campaign-service");
        assertThat(Manifests.ofKind(Charts.render("campaign-service", Map.of("networkPolicy.enabled", false)), "NetworkPolicy")).isEmpty();
    }

    @Test
    void ingressFromPeersReachBothPortsGlobalOnesEveryServiceTheirOwnOneService() {
        List<Manifest> manifests = Charts.render(Charts.UMBRELLA, """
                global:
                  networkPolicy:
                    ingressFrom:
                      - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: ingress-nginx}}
                identity-service:
                  networkPolicy:
                    ingressFrom:
                      - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: channel-integrations}}
                        podSelector: {matchLabels: {app: pos-bridge}}
                      - ipBlock: {cidr: 192.168.10.0/24}
                """);
        KubernetesSchema.validate(manifests);

        for (String service : Charts.SERVICES) {
            NetworkPolicyIngressRule rule = assertThatSingleRule(policy(manifests, service));
            assertThat(ports(rule.getPorts())).containsExactlyInAnyOrderElementsOf(containerPorts(manifests, service));
            List<String> peers = rule.getFrom().stream().map(NetworkPolicyTest::describe).toList();
            List<String> expected = Stream.concat(
                    Stream.of("pods{app.kubernetes.io/part-of=memberpulse}", "namespaces{kubernetes.io/metadata.name=ingress-nginx}"),
                    service.equals("identity-service")
                            ? Stream.of("namespaces{kubernetes.io/metadata.name=channel-integrations} pods{app=pos-bridge}", "ipBlock 192.168.10.0/24")
                            : Stream.empty()).toList();
            assertThat(peers).as("callers admitted to %s", service).containsExactlyInAnyOrderElementsOf(expected);
        }
    }

    @Test
    void prometheusReachesTheScrapedPortOnlyWhereTheServiceMonitorIsOn() {
        List<Manifest> manifests = Charts.render(Charts.UMBRELLA, Map.of(
                "rfm-service.serviceMonitor.enabled", true, "campaign-service.serviceMonitor.enabled", true));
        KubernetesSchema.validate(manifests);

        for (String service : Charts.SERVICES) {
            boolean monitored = Manifests.find(manifests, m -> m.kind().equals("ServiceMonitor") && m.name().equals(service)).isPresent();
            List<NetworkPolicyIngressRule> rules = policy(manifests, service).getSpec().getIngress();
            assertThat(rules).as("rules of %s", service).hasSize(monitored ? 2 : 1);
            if (monitored) {
                NetworkPolicyIngressRule prometheus = rules.get(1);
                assertThat(prometheus.getFrom()).extracting(NetworkPolicyTest::describe)
                        .containsExactly("namespaces{kubernetes.io/metadata.name=monitoring}");
                assertThat(ports(prometheus.getPorts())).containsExactly(scrapedPort(manifests, service));
            }
        }
        assertThat(Manifests.ofKind(manifests, "ServiceMonitor")).extracting(Manifest::name).containsExactlyInAnyOrder("rfm-service", "campaign-service");
    }

    @Test
    void theMonitoringNamespaceAndPodsAreConfigurableAndReplaceTheDefault() {
        List<Manifest> manifests = Charts.render("churn-service", """
                serviceMonitor: {enabled: true}
                networkPolicy:
                  monitoring:
                    namespaceSelector: {matchLabels: {team: observability}}
                    podSelector: {matchLabels: {app.kubernetes.io/name: prometheus}}
                """);

        NetworkPolicyIngressRule prometheus = policy(manifests, "churn-service").getSpec().getIngress().get(1);
        assertThat(prometheus.getFrom()).extracting(NetworkPolicyTest::describe)
                .containsExactly("namespaces{team=observability} pods{app.kubernetes.io/name=prometheus}");
    }

    @Test
    void egressOnAllowsTheMemberpulsePodsDnsAndEachConfiguredDatastoreOnItsPortOnly() {
        List<Manifest> manifests = Charts.render(Charts.UMBRELLA, EGRESS_ON);
        KubernetesSchema.validate(manifests);

        for (String service : Charts.SERVICES) {
            NetworkPolicy policy = policy(manifests, service);
            Map<String, String> config = configData(manifests, service);
            assertThat(policy.getSpec().getPolicyTypes()).containsExactly("Ingress", "Egress");
            Set<Tuple> kafkaPorts = Arrays.stream(config.get("KAFKA_BOOTSTRAP_SERVERS").split(","))
                    .map(server -> tuple(Integer.parseInt(server.substring(server.lastIndexOf(':') + 1).trim()), "TCP"))
                    .collect(Collectors.toSet());
            assertThat(egress(policy)).as("egress of %s", service).containsExactlyInAnyOrderEntriesOf(Map.of(
                    "pods{app.kubernetes.io/part-of=memberpulse}", Set.of(),
                    "namespaces{kubernetes.io/metadata.name=kube-system} pods{k8s-app=kube-dns}", Set.of(tuple(53, "UDP"), tuple(53, "TCP")),
                    "ipBlock 10.20.0.0/24", Set.of(tuple(Integer.parseInt(config.get("POSTGRES_PORT")), "TCP")),
                    "namespaces{kubernetes.io/metadata.name=cache}", Set.of(tuple(Integer.parseInt(config.get("REDIS_PORT")), "TCP")),
                    "namespaces{kubernetes.io/metadata.name=kafka} pods{strimzi.io/kind=Kafka}", kafkaPorts));
            assertThat(kafkaPorts).extracting(port -> port.toList().get(0)).containsExactlyInAnyOrder(9093, 9094);
        }
        assertThat(configData(manifests, "churn-service")).as("a service's own port wins").containsEntry("POSTGRES_PORT", "5433");
        assertThat(configData(manifests, "rfm-service")).containsEntry("POSTGRES_PORT", "6432");
    }

    @Test
    void egressPortsDnsPeersAndExtraRulesCanBeSet() {
        List<Manifest> manifests = Charts.render("rfm-service", """
                networkPolicy:
                  egress:
                    enabled: true
                    dns: {to: [{ipBlock: {cidr: 169.254.20.10/32}}]}
                    postgres: {to: [{ipBlock: {cidr: 10.20.0.0/24}}], ports: [{port: 6543}]}
                    redis: {to: [{ipBlock: {cidr: 10.30.0.0/24}}]}
                    kafka: {to: [{ipBlock: {cidr: 10.40.0.0/24}}]}
                    extraRules:
                      - to: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: tracing}}}]
                        ports: [{port: 4317}]
                """);
        KubernetesSchema.validate(manifests);

        Map<String, Set<Tuple>> egress = egress(policy(manifests, "rfm-service"));
        assertThat(egress).containsEntry("ipBlock 169.254.20.10/32", Set.of(tuple(53, "UDP"), tuple(53, "TCP")))
                .containsEntry("ipBlock 10.20.0.0/24", Set.of(tuple(6543, "TCP")))
                .containsEntry("ipBlock 10.30.0.0/24", Set.of(tuple(6379, "TCP")))
                .containsEntry("ipBlock 10.40.0.0/24", Set.of(tuple(9092, "TCP")))
                .containsEntry("namespaces{kubernetes.io/metadata.name=tracing}", Set.of(tuple(4317, "TCP")))
                .hasSize(6);
    }

    /** With egress restricted, a service that cannot fetch its token keys would answer 401 to every call. */
    @Test
    void egressNamesTheIdentityProviderWhenTheTokenKeysAreFetchedOverTheNetwork() {
        String withProvider = EGRESS_ON.replace("global:\n", "global:\n  auth: {publicKeyLocation: \"https://sso.example.com:8443/realms/retail/certs\"}\n");

        assertThatThrownBy(() -> Charts.template(Charts.UMBRELLA, withProvider))
                .hasMessageContaining("networkPolicy.egress.identityProvider.to is required with networkPolicy.egress.enabled")
                .hasMessageContaining("https://sso.example.com:8443/realms/retail/certs");

        List<Manifest> manifests = Charts.render(Charts.UMBRELLA, withProvider.replace("      enabled: true\n",
                "      enabled: true\n      identityProvider: {to: [{ipBlock: {cidr: 203.0.113.0/24}}]}\n"));
        for (String service : Charts.SERVICES) {
            assertThat(egress(policy(manifests, service))).containsEntry("ipBlock 203.0.113.0/24", Set.of(tuple(8443, "TCP")));
        }
    }

    static Stream<Arguments> badValues() {
        return Stream.of(
                Arguments.of(Map.of("networkPolicy.enabled", "yes"), "networkPolicy.enabled must be true or false, not \"yes\""),
                Arguments.of(Map.of("global.networkPolicy.egress.enabled", "on"), "global.networkPolicy.egress.enabled must be true or false, not \"on\""),
                Arguments.of(Map.of("networkPolicy.ingressFrom", "ingress-nginx"), "networkPolicy.ingressFrom must be a list of NetworkPolicyPeers"),
                Arguments.of(Map.of("networkPolicy.ingressFrom[0].namespace", "ingress-nginx"),
                        "networkPolicy.ingressFrom[0]: unknown field namespace"),
                Arguments.of(Map.of("networkPolicy.ingressFrom[0].ipBlock.cidr", "10.0.0.0/8", "networkPolicy.ingressFrom[0].podSelector.matchLabels.app", "web"),
                        "networkPolicy.ingressFrom[0]: ipBlock cannot be combined with podSelector or namespaceSelector"),
                Arguments.of(Map.of("global.networkPolicy.ingressFrom[0].ipBlock.cidr", "10.0.0.0"),
                        "global.networkPolicy.ingressFrom[0].ipBlock.cidr must be a CIDR such as 10.0.0.0/16, not \"10.0.0.0\""),
                Arguments.of(Map.of("networkPolicy.monitoring.namespaceSelector.matchLabel.name", "monitoring"),
                        "networkPolicy.monitoring.namespaceSelector must be a label selector"),
                Arguments.of(Map.of("networkPolicy.egress.enabled", true),
                        "networkPolicy.egress.postgres.to is required with networkPolicy.egress.enabled"),
                Arguments.of(Map.of("networkPolicy.egress.enabled", true, "networkPolicy.egress.postgres.to[0].ipBlock.cidr", "10.0.0.0/8",
                        "networkPolicy.egress.redis.to[0].ipBlock.cidr", "10.0.0.0/8"),
                        "networkPolicy.egress.kafka.to is required with networkPolicy.egress.enabled"),
                Arguments.of(Map.of("networkPolicy.egress.enabled", true, "networkPolicy.egress.postgres.to[0].ipBlock.cidr", "10.0.0.0/8",
                        "networkPolicy.egress.postgres.ports[0].port", 5432, "networkPolicy.egress.postgres.ports[0].protocol", "HTTP"),
                        "networkPolicy.egress.postgres.ports[0].protocol \"HTTP\" must be TCP, UDP or SCTP"),
                Arguments.of(Map.of("networkPolicy.egress.enabled", true, "networkPolicy.egress.dns.ports[0].port", 70000),
                        "networkPolicy.egress.dns.ports[0].port 70000 is not a port number"),
                Arguments.of(withDatastorePeers(Map.of("networkPolicy.egress.extraRules[0].ports[0].port", 80)),
                        "networkPolicy.egress.extraRules[0] must be a NetworkPolicyEgressRule with to"));
    }

    /** Egress on with every required datastore peer set, plus the given values. */
    private static Map<String, Object> withDatastorePeers(Map<String, Object> values) {
        Map<String, Object> all = new HashMap<>(values);
        all.put("networkPolicy.egress.enabled", true);
        for (String datastore : List.of("postgres", "redis", "kafka")) {
            all.put("networkPolicy.egress." + datastore + ".to[0].ipBlock.cidr", "10.0.0.0/8");
        }
        return all;
    }

    @ParameterizedTest
    @MethodSource("badValues")
    void badValuesFailTheRenderNamingTheValue(Map<String, Object> values, String message) {
        assertThatThrownBy(() -> Charts.template("rfm-service", values)).hasMessageContaining(message);
    }

    @Test
    void valuesOfAPolicyThatIsOffAreNotChecked() {
        assertThat(Manifests.ofKind(Charts.render("rfm-service", Map.of("networkPolicy.enabled", false,
                "networkPolicy.ingressFrom", "anything")), "NetworkPolicy")).isEmpty();
    }

    private static NetworkPolicy policy(List<Manifest> manifests, String service) {
        return Manifests.one(manifests, "NetworkPolicy", service).as(NetworkPolicy.class);
    }

    private static Deployment deployment(List<Manifest> manifests, String service) {
        return Manifests.one(manifests, "Deployment", service).as(Deployment.class);
    }

    private static Map<String, String> podLabels(Deployment deployment) {
        return deployment.getSpec().getTemplate().getMetadata().getLabels();
    }

    /** Whether a selector (matchLabels only: the charts use no expressions) selects pods with these labels. */
    private static boolean selects(LabelSelector selector, Map<String, String> labels) {
        assertThat(selector.getMatchExpressions()).isEmpty();
        return labels.entrySet().containsAll(selector.getMatchLabels().entrySet());
    }

    private static NetworkPolicyIngressRule assertThatSingleRule(NetworkPolicy policy) {
        assertThat(policy.getSpec().getIngress()).hasSize(1);
        return policy.getSpec().getIngress().get(0);
    }

    private static NetworkPolicyPeer assertThatSinglePeer(NetworkPolicyIngressRule rule) {
        assertThat(rule.getFrom()).hasSize(1);
        return rule.getFrom().get(0);
    }

    /** (port number, protocol) of NetworkPolicy ports, which the charts always give as numbers. */
    private static List<Tuple> ports(List<NetworkPolicyPort> ports) {
        return ports.stream().map(port -> tuple(port.getPort().getIntVal(), port.getProtocol())).toList();
    }

    private static List<Tuple> containerPorts(List<Manifest> manifests, String service) {
        return ServiceChartsTest.container(manifests, service).getPorts().stream()
                .map(port -> tuple(port.getContainerPort(), port.getProtocol())).toList();
    }

    /** The container ports the Service's ports name as their targetPort. */
    private static List<Tuple> serviceTargetPorts(List<Manifest> manifests, String service) {
        List<ContainerPort> containerPorts = ServiceChartsTest.container(manifests, service).getPorts();
        return Manifests.one(manifests, "Service", service).as(Service.class).getSpec().getPorts().stream()
                .map(ServicePort::getTargetPort)
                .map(target -> containerPorts.stream().filter(port -> port.getName().equals(target.getStrVal())).findFirst().orElseThrow())
                .map(port -> tuple(port.getContainerPort(), port.getProtocol())).toList();
    }

    /** The container port behind the Service port the ServiceMonitor scrapes. */
    @SuppressWarnings("unchecked")
    private static Tuple scrapedPort(List<Manifest> manifests, String service) {
        List<Map<String, Object>> endpoints = (List<Map<String, Object>>) KubernetesSchema.spec(
                Manifests.one(manifests, "ServiceMonitor", service)).get("endpoints");
        assertThat(endpoints).hasSize(1);
        String servicePort = (String) endpoints.get(0).get("port");
        String target = Manifests.one(manifests, "Service", service).as(Service.class).getSpec().getPorts().stream()
                .filter(port -> port.getName().equals(servicePort)).findFirst().orElseThrow().getTargetPort().getStrVal();
        ContainerPort port = ServiceChartsTest.container(manifests, service).getPorts().stream()
                .filter(containerPort -> containerPort.getName().equals(target)).findFirst().orElseThrow();
        return tuple(port.getContainerPort(), port.getProtocol());
    }

    /** Each egress rule as "its peers" -> its ports (empty: every port); one rule per peer set. */
    private static Map<String, Set<Tuple>> egress(NetworkPolicy policy) {
        List<NetworkPolicyEgressRule> rules = policy.getSpec().getEgress();
        Map<String, Set<Tuple>> byPeers = rules.stream().collect(Collectors.toMap(
                rule -> rule.getTo().stream().map(NetworkPolicyTest::describe).collect(Collectors.joining(", ")),
                rule -> Set.copyOf(ports(rule.getPorts()))));
        assertThat(byPeers).hasSameSizeAs(rules);
        return byPeers;
    }

    /** A peer in words: "namespaces{k=v} pods{k=v}" or "ipBlock cidr". */
    private static String describe(NetworkPolicyPeer peer) {
        if (peer.getIpBlock() != null) {
            return "ipBlock " + peer.getIpBlock().getCidr();
        }
        return Stream.of(selector("namespaces", peer.getNamespaceSelector()), selector("pods", peer.getPodSelector()))
                .filter(part -> !part.isEmpty()).collect(Collectors.joining(" "));
    }

    private static String selector(String what, LabelSelector selector) {
        if (selector == null) {
            return "";
        }
        assertThat(selector.getMatchExpressions()).isEmpty();
        return what + selector.getMatchLabels().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                .sorted().collect(Collectors.joining(",", "{", "}"));
    }
}
