package io.memberpulse.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Quantity;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The heap each service gets by default (memory limit x MaxRAMPercentage, as the JVM computes it) is at least what
 * its measurements need. The minimums are those of k8s/README.md (Memory), each from a measured figure.
 */
class MemorySizingTest {

    /** MiB of heap, at least. */
    static final Map<String, Long> MINIMUM_HEAP_MIB = Map.of(
            // ImportBenchmarkTest, identity-dev x40 (2.87M events): heap after GC 1,194 MB; it ran in -Xmx2g
            "identity-service", 2048L,
            // ResegmentationBenchmarkTest / ServiceRefreshBenchmarkTest, 1M members and 4.5M lines: run with -Xmx3g
            "rfm-service", 3072L,
            // TrainingScaleBenchmarkTest: a training run on 23,570 members held 398 MB live (x1.5 for the collector, plus the service)
            "churn-service", 1024L,
            // the launcher's MEMBERPULSE_HEAP default (256m), with which the end-to-end tests run it
            "campaign-service", 256L);

    private static final Pattern MAX_RAM = Pattern.compile("-XX:MaxRAMPercentage=([0-9.]+)");

    @ParameterizedTest
    @MethodSource("io.memberpulse.k8s.Charts#services")
    void theDefaultHeapHoldsWhatWasMeasured(String service) {
        assertThat(heapMib(ServiceChartsTest.container(Charts.defaults(), service)))
                .as("%s: memory limit x MaxRAMPercentage, in MiB (k8s/README.md, Memory)", service)
                .isGreaterThanOrEqualTo(MINIMUM_HEAP_MIB.get(service));
    }

    @ParameterizedTest
    @MethodSource("io.memberpulse.k8s.Charts#services")
    void aJvmOutOfHeapExitsSoThePodRestarts(String service) {
        assertThat(javaOpts(ServiceChartsTest.container(Charts.defaults(), service))).as(service)
                .contains(" -XX:+ExitOnOutOfMemoryError");
    }

    /** The heap the JVM would size: the container's memory limit times MaxRAMPercentage, in MiB. */
    static long heapMib(Container container) {
        Quantity limit = container.getResources().getLimits().get("memory");
        assertThat(limit).as("a memory limit: the JVM sizes its heap from it").isNotNull();
        Matcher percentage = MAX_RAM.matcher(javaOpts(container));
        assertThat(percentage.find()).as("MaxRAMPercentage in JAVA_OPTS_APPEND").isTrue();
        BigDecimal bytes = Quantity.getAmountInBytes(limit);
        return bytes.multiply(new BigDecimal(percentage.group(1))).divide(BigDecimal.valueOf(100L * 1024 * 1024),
                java.math.RoundingMode.FLOOR).longValueExact();
    }

    private static String javaOpts(Container container) {
        return container.getEnv().stream().filter(e -> e.getName().equals("JAVA_OPTS_APPEND")).map(EnvVar::getValue)
                .findFirst().orElseThrow(() -> new AssertionError("no JAVA_OPTS_APPEND"));
    }
}
