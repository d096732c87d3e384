package io.memberpulse.proto.health;

import io.smallrye.common.annotation.Identifier;
import io.smallrye.health.api.HealthGroup;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.AdminClient;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;

/**
 * The Kafka cluster describes itself to an admin client made from the service's {@code kafka.*} settings (address and
 * security, as every channel): in the {@value DependencyChecks#GROUP} group, not readiness (see
 * {@link DependencyChecks}). Quarkus's own check ({@code quarkus.kafka.health.enabled}) can only be a readiness check.
 */
@HealthGroup(DependencyChecks.GROUP)
@ApplicationScoped
public class KafkaDependencyCheck implements HealthCheck {
    private final Map<String, Object> settings;
    private AdminClient admin;

    public KafkaDependencyCheck(@Identifier("default-kafka-broker") Map<String, Object> kafka) {
        Map<String, Object> adminSettings = new HashMap<>();
        kafka.forEach((key, value) -> {
            if (AdminClientConfig.configNames().contains(key)) {
                adminSettings.put(key, value);
            }
        });
        adminSettings.put(AdminClientConfig.CLIENT_ID_CONFIG, "health-dependencies");
        this.settings = adminSettings;
    }

    @Override
    public HealthCheckResponse call() {
        var response = HealthCheckResponse.named("kafka");
        try {
            int brokers = admin().describeCluster(new DescribeClusterOptions()
                            .timeoutMs((int) DependencyChecks.TIMEOUT.toMillis()))
                    .nodes().get(DependencyChecks.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).size();
            return response.up().withData("brokers", brokers).build();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return response.down().withData("reason", "interrupted").build();
        } catch (Exception e) {
            return response.down().withData("reason", String.valueOf(e.getMessage())).build();
        }
    }

    /** Made at the first check, not at start, and kept: a client per check would reconnect every probe period. */
    private synchronized AdminClient admin() {
        if (admin == null) {
            admin = AdminClient.create(settings);
        }
        return admin;
    }

    @PreDestroy
    synchronized void close() {
        if (admin != null) {
            admin.close();
        }
    }
}
