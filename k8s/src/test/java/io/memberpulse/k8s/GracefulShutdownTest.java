package io.memberpulse.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.smallrye.config.SmallRyeConfig;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A pod being stopped (rollout, scale-in, drain) first stops being routed to, then finishes what it serves, and only
 * then is killed: the grace period covers the preStop sleep, Quarkus's shutdown delay and its shutdown timeout, and each
 * service's application.properties turns the chart's variables into those Quarkus settings.
 */
class GracefulShutdownTest {

    /** Closing the Kafka, Redis and PostgreSQL clients after the shutdown timeout. */
    static final long CLOSE_SECONDS = 10;

    @ParameterizedTest
    @MethodSource("io.memberpulse.k8s.Charts#services")
    void theGracePeriodOutlastsTheDelayAndTheTimeout(String service) {
        List<Manifest> manifests = Charts.defaults();
        Map<String, String> data = ServiceWorkload.configData(manifests, service);
        PodSpec pod = ServiceWorkload.pod(manifests, service);

        long delay = seconds(data.get("SHUTDOWN_DELAY"));
        long timeout = seconds(data.get("SHUTDOWN_TIMEOUT"));
        assertThat(delay).as("%s stays routable for a while after SIGTERM", service).isGreaterThanOrEqualTo(5);
        assertThat(timeout).as(service).isPositive();
        assertThat(pod.getTerminationGracePeriodSeconds()).as("%s: preStop + delay + timeout + closing", service)
                .isGreaterThanOrEqualTo(preStop(pod.getContainers().get(0)) + delay + timeout + CLOSE_SECONDS);
    }

    @Test
    void aPreStopSleepRendersAndCounts() {
        List<Manifest> manifests = Charts.render("rfm-service", Map.of("shutdown.preStopSleepSeconds", 10,
                "terminationGracePeriodSeconds", 45));
        PodSpec pod = ServiceWorkload.pod(manifests, "rfm-service");
        assertThat(preStop(pod.getContainers().get(0))).isEqualTo(10);
        assertThat(pod.getTerminationGracePeriodSeconds()).isEqualTo(45);

        assertThatThrownBy(() -> Charts.template("rfm-service", Map.of("shutdown.preStopSleepSeconds", 10)))
                .hasMessageContaining("terminationGracePeriodSeconds (40) must be at least")
                .hasMessageContaining("i.e. 45");
    }

    @Test
    void aGracePeriodShorterThanTheShutdownFailsTheRender() {
        assertThatThrownBy(() -> Charts.template(Charts.UMBRELLA, Map.of("churn-service.terminationGracePeriodSeconds", 30)))
                .hasMessageContaining("terminationGracePeriodSeconds (30) must be at least")
                .hasMessageContaining("churn-service");
        assertThatThrownBy(() -> Charts.template("campaign-service", Map.of("shutdown.timeoutSeconds", 60)))
                .hasMessageContaining("shutdown.timeoutSeconds (60)");
    }

    @ParameterizedTest
    @MethodSource("io.memberpulse.k8s.Charts#services")
    void theServiceTurnsTheVariablesIntoQuarkusShutdownSettings(String service) {
        Map<String, String> data = ServiceWorkload.configData(Charts.defaults(), service);
        SmallRyeConfig config = DatastoreSecurityPropertiesTest.config(service,
                Map.of("SHUTDOWN_DELAY", data.get("SHUTDOWN_DELAY"), "SHUTDOWN_TIMEOUT", data.get("SHUTDOWN_TIMEOUT")));
        assertThat(config.getValue("quarkus.shutdown.delay-enabled", Boolean.class))
                .as("%s: build-time switch of the delay (readiness DOWN during it)", service).isTrue();
        // Quarkus reads "5s" as 5 seconds (its DurationConverter); plain SmallRye Config has no such converter.
        assertThat(config.getValue("quarkus.shutdown.delay", String.class)).isEqualTo(data.get("SHUTDOWN_DELAY"));
        assertThat(config.getValue("quarkus.shutdown.timeout", String.class)).isEqualTo(data.get("SHUTDOWN_TIMEOUT"));
        assertThat(DatastoreSecurityPropertiesTest.config(service, Map.of()).getValue("quarkus.shutdown.delay", String.class))
                .as("%s outside Kubernetes: no delay", service).isEqualTo("0s");
        assertThat(ServiceConfig.of(service).environment()).contains("SHUTDOWN_DELAY", "SHUTDOWN_TIMEOUT");
    }

    private static long preStop(Container container) {
        if (container.getLifecycle() == null || container.getLifecycle().getPreStop() == null) {
            return 0;
        }
        return container.getLifecycle().getPreStop().getSleep().getSeconds();
    }

    private static long seconds(String duration) {
        assertThat(duration).as("a duration in seconds such as 5s").matches("[0-9]+s");
        return Long.parseLong(duration.substring(0, duration.length() - 1));
    }
}
