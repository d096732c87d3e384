package io.memberpulse.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.smallrye.config.SmallRyeConfig;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Every service on the one PostgreSQL server, at its most pods (the replica maximum plus a rolling update's surge pod)
 * and with full pools, fits in the server's max_connections: counted here from the rendered objects, and enforced at
 * render time by the umbrella chart (k8s/README.md, PostgreSQL connections).
 */
class PostgresConnectionBudgetTest {

    /** PostgreSQL's defaults: max_connections 100, superuser_reserved_connections 3 (global.postgres.*). */
    static final int MAX_CONNECTIONS = 100;
    static final int RESERVED = 3;
    /** Connections a pod opens outside its two pools: identity-service's WriterLock holds its own session. */
    static final Map<String, Integer> OTHER_CONNECTIONS = Map.of("identity-service", 1);

    @Test
    void theDefaultsFitPostgresDefaultMaxConnections() {
        List<Manifest> manifests = Charts.defaults();
        int total = 0;
        for (String service : Charts.SERVICES) {
            total += mostPods(manifests, service) * perPod(manifests, service);
        }
        assertThat(total).as("connections at the replica maximums, plus surge pods").isLessThanOrEqualTo(MAX_CONNECTIONS - RESERVED);
    }

    @Test
    void moreConnectionsThanTheServerAllowsFailTheRender() {
        assertThatThrownBy(() -> Charts.template(Charts.UMBRELLA, Map.of("rfm-service.autoscaling.maxReplicas", 8)))
                .hasMessageContaining("PostgreSQL connections")
                .hasMessageContaining("rfm-service 9 pods x 6")
                .hasMessageContaining("global.postgres.maxConnections 100");
        assertThatThrownBy(() -> Charts.template(Charts.UMBRELLA, Map.of("campaign-service.postgres.pool.reactiveMaxSize", 8)))
                .hasMessageContaining("campaign-service 4 pods x 10");
        assertThatThrownBy(() -> Charts.template(Charts.UMBRELLA, Map.of("churn-service.keda.enabled", true,
                "churn-service.keda.maxReplicas", 10))).hasMessageContaining("churn-service 11 pods x 6");

        // A server that allows more, a service on a server of its own, or the check switched off.
        Charts.template(Charts.UMBRELLA, Map.of("rfm-service.autoscaling.maxReplicas", 8, "global.postgres.maxConnections", 200));
        Charts.template(Charts.UMBRELLA, Map.of("rfm-service.autoscaling.maxReplicas", 8, "rfm-service.postgres.host", "pg-rfm"));
        Charts.template(Charts.UMBRELLA, Map.of("rfm-service.autoscaling.maxReplicas", 8, "global.postgres.maxConnections", 0));
    }

    @Test
    void everyOptionOnStillFits() {
        Map<String, Object> keda = Map.of("rfm-service.keda.enabled", true, "churn-service.keda.enabled", true,
                "campaign-service.keda.enabled", true);
        List<Manifest> manifests = Charts.render(Charts.UMBRELLA, keda);
        int total = 0;
        for (String service : Charts.SERVICES) {
            total += mostPods(manifests, service) * perPod(manifests, service);
        }
        assertThat(total).as("KEDA's default maximums").isLessThanOrEqualTo(MAX_CONNECTIONS - RESERVED);
    }

    @Test
    void theBudgetCountsWhatTheTestCounts() {
        // One connection short of the default budget fails; the test's own count of the defaults is what the chart sums.
        List<Manifest> manifests = Charts.defaults();
        int total = 0;
        for (String service : Charts.SERVICES) {
            total += mostPods(manifests, service) * perPod(manifests, service);
        }
        Charts.template(Charts.UMBRELLA, Map.of("global.postgres.maxConnections", total + RESERVED));
        int tooFew = total + RESERVED - 1;
        assertThatThrownBy(() -> Charts.template(Charts.UMBRELLA, Map.of("global.postgres.maxConnections", tooFew)))
                .hasMessageContaining("at most " + total + " could be open");
    }

    @Test
    void thePoolSizesReachTheServicesPools() {
        List<Manifest> manifests = Charts.render(Charts.UMBRELLA, Map.of("rfm-service.postgres.pool.reactiveMaxSize", 3));
        for (String service : Charts.SERVICES) {
            Map<String, String> data = ServiceWorkload.configData(manifests, service);
            SmallRyeConfig config = DatastoreSecurityPropertiesTest.config(service,
                    Map.of("QUARKUS_DATASOURCE_REACTIVE_MAX_SIZE", data.get("QUARKUS_DATASOURCE_REACTIVE_MAX_SIZE"),
                            "QUARKUS_DATASOURCE_JDBC_MAX_SIZE", data.get("QUARKUS_DATASOURCE_JDBC_MAX_SIZE")));
            assertThat(config.getValue("quarkus.datasource.reactive.max-size", Integer.class)).as(service)
                    .isEqualTo(Integer.parseInt(data.get("QUARKUS_DATASOURCE_REACTIVE_MAX_SIZE")));
            assertThat(config.getValue("quarkus.datasource.jdbc.max-size", Integer.class)).as(service)
                    .isEqualTo(Integer.parseInt(data.get("QUARKUS_DATASOURCE_JDBC_MAX_SIZE")));
        }
        assertThat(ServiceWorkload.configData(manifests, "rfm-service")).containsEntry("QUARKUS_DATASOURCE_REACTIVE_MAX_SIZE", "3");
    }

    /** The most pods a service can run at once: its HPA's or ScaledObject's maximum, else its replicas, plus a surge pod unless Recreate. */
    static int mostPods(List<Manifest> manifests, String service) {
        Deployment deployment = Manifests.one(manifests, "Deployment", service).as(Deployment.class);
        int pods = Manifests.find(manifests, m -> m.kind().equals("HorizontalPodAutoscaler") && m.name().equals(service))
                .map(m -> m.as(HorizontalPodAutoscaler.class).getSpec().getMaxReplicas())
                .or(() -> Manifests.find(manifests, m -> m.kind().equals("ScaledObject") && m.name().equals(service))
                        .map(m -> (Integer) KubernetesSchema.spec(m).get("maxReplicaCount")))
                .orElseGet(() -> deployment.getSpec().getReplicas());
        var strategy = deployment.getSpec().getStrategy();
        if (strategy.getType().equals("RollingUpdate")) {
            pods += strategy.getRollingUpdate().getMaxSurge().getIntVal();
        }
        return pods;
    }

    static int perPod(List<Manifest> manifests, String service) {
        Map<String, String> data = ServiceWorkload.configData(manifests, service);
        return Integer.parseInt(data.get("QUARKUS_DATASOURCE_REACTIVE_MAX_SIZE"))
                + Integer.parseInt(data.get("QUARKUS_DATASOURCE_JDBC_MAX_SIZE"))
                + OTHER_CONNECTIONS.getOrDefault(service, 0);
    }
}
