package io.memberpulse.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ConfigMap;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The dashboard and the alert rules read only metrics that exist. */
class ObservabilityTest {

    /** Metrics memberpulse's own code registers (Prometheus name, the service that registers it). */
    private static final Map<String, String> PROJECT = Map.of(
            "memberpulse_identity_events_total", "identity-service",
            "memberpulse_rfm_purchase_lines_total", "rfm-service",
            "memberpulse_churn_scores_published_total", "churn-service",
            "memberpulse_campaign_tasks_overdue", "campaign-service",
            "memberpulse_campaign_tasks_escalated_total", "campaign-service");
    /** Quarkus Micrometer (HTTP server, JVM, process), Kafka client metrics bound by Micrometer, Prometheus itself. */
    private static final Set<String> STANDARD = Set.of(
            "http_server_requests_seconds_count", "http_server_requests_seconds_sum", "http_server_requests_seconds_max",
            "jvm_memory_used_bytes", "jvm_gc_pause_seconds_sum", "jvm_threads_live_threads", "process_cpu_usage", "system_cpu_usage",
            "kafka_consumer_fetch_manager_records_lag", "kafka_consumer_fetch_manager_records_lag_max",
            "kafka_consumer_fetch_manager_records_consumed_total", "kafka_producer_topic_record_send_total",
            "kafka_producer_record_error_total", "up");

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path DASHBOARD = Charts.SOURCE.resolve("memberpulse/files/grafana/memberpulse.json");

    @Test
    void theDashboardIsGrafanaJsonWithAQueryInEveryPanel() throws IOException {
        JsonNode dashboard = JSON.readTree(DASHBOARD.toFile());

        assertThat(dashboard.path("uid").asText()).isNotBlank();
        assertThat(dashboard.path("title").asText()).isEqualTo("memberpulse");
        List<JsonNode> panels = new ArrayList<>();
        dashboard.path("panels").forEach(panels::add);
        assertThat(panels).filteredOn(p -> !p.path("type").asText().equals("row")).isNotEmpty().allSatisfy(panel -> {
            assertThat(panel.path("targets")).as(panel.path("title").asText()).isNotEmpty();
            assertThat(panel.path("gridPos").path("w").asInt()).isBetween(1, 24);
        });
        assertThat(panels).extracting(p -> p.path("id").asInt()).doesNotHaveDuplicates();
        assertThat(panels).extracting(p -> p.path("title").asText())
                .contains("Events ingested (identity-service)", "Consumer lag", "Segment changes published",
                        "Churn scores published", "Call tasks past the 72-hour SOP", "HTTP 5xx ratio");
    }

    @Test
    void everyDashboardQueryReadsKnownMetrics() throws IOException {
        List<String> expressions = JSON.readTree(DASHBOARD.toFile()).findValuesAsText("expr");

        assertThat(expressions).hasSizeGreaterThan(10);
        assertKnown(expressions);
    }

    @Test
    void theChartShipsTheDashboardFileUnchanged() throws IOException {
        var manifests = Charts.render(Charts.UMBRELLA, Map.of("observability.grafanaDashboard.enabled", true));
        ConfigMap configMap = Manifests.one(manifests, "ConfigMap", Charts.RELEASE + "-grafana-dashboard").as(ConfigMap.class);

        assertThat(JSON.readTree(configMap.getData().get("memberpulse.json"))).isEqualTo(JSON.readTree(DASHBOARD.toFile()));
    }

    @Test
    void everyAlertReadsKnownMetrics() {
        var manifests = Charts.render(Charts.UMBRELLA, Map.of("observability.prometheusRule.enabled", true));
        Map<String, Object> spec = KubernetesSchema.spec(Manifests.ofKind(manifests, "PrometheusRule").get(0));

        List<Map<String, Object>> rules = new ArrayList<>();
        for (Object group : (List<?>) spec.get("groups")) {
            for (Object rule : (List<?>) ((Map<?, ?>) group).get("rules")) {
                @SuppressWarnings("unchecked")
                Map<String, Object> alert = (Map<String, Object>) rule;
                rules.add(alert);
            }
        }
        assertThat(rules).extracting(rule -> rule.get("alert")).containsExactlyInAnyOrder("MemberpulseServiceDown",
                "MemberpulseConsumerLagHigh", "MemberpulseDeadLetters", "MemberpulseHttpErrorRateHigh", "MemberpulseSopTasksOverdue");
        assertThat(rules).allSatisfy(rule -> assertThat(rule).containsKeys("expr", "labels", "annotations"));
        assertKnown(rules.stream().map(rule -> rule.get("expr").toString()).toList());
    }

    /**
     * up == 0 needs a target that fails: a service whose pods are all Pending, evicted or scaled to 0 has none, and
     * only absent() sees it. One rule per service that is deployed and scraped (its ServiceMonitor on).
     */
    @Test
    @SuppressWarnings("unchecked")
    void aServiceWithoutAnyScrapedPodAlertsThroughAbsent() {
        var manifests = Charts.render(Charts.UMBRELLA, Map.of("observability.prometheusRule.enabled", true,
                "identity-service.serviceMonitor.enabled", true, "rfm-service.serviceMonitor.enabled", true,
                "churn-service.serviceMonitor.enabled", true, "campaign-service.enabled", false));

        List<Map<String, Object>> absent = rules(manifests).stream()
                .filter(rule -> "MemberpulseServiceAbsent".equals(rule.get("alert"))).toList();
        assertThat(absent).extracting(rule -> rule.get("expr")).containsExactlyInAnyOrder(
                "absent(up{job=\"identity-service\"} == 1)", "absent(up{job=\"rfm-service\"} == 1)",
                "absent(up{job=\"churn-service\"} == 1)");
        assertThat(absent).allSatisfy(rule -> {
            assertThat(rule).containsKeys("for", "annotations");
            assertThat((Map<String, Object>) rule.get("labels")).containsEntry("severity", "critical").containsKey("job");
        });
        assertKnown(absent.stream().map(rule -> rule.get("expr").toString()).toList());

        var unscraped = Charts.render(Charts.UMBRELLA, Map.of("observability.prometheusRule.enabled", true));
        assertThat(rules(unscraped)).as("no ServiceMonitor, no up series: absent would always fire")
                .noneSatisfy(rule -> assertThat(rule.get("alert")).isEqualTo("MemberpulseServiceAbsent"));
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> rules(List<Manifest> manifests) {
        Map<String, Object> spec = KubernetesSchema.spec(Manifests.ofKind(manifests, "PrometheusRule").get(0));
        List<Map<String, Object>> rules = new ArrayList<>();
        for (Object group : (List<?>) spec.get("groups")) {
            ((List<?>) ((Map<?, ?>) group).get("rules")).forEach(rule -> rules.add((Map<String, Object>) rule));
        }
        return rules;
    }

    @Test
    void theProjectsMetricsAreRegisteredByTheirServices() {
        PROJECT.forEach((metric, service) -> {
            String micrometerName = metric.replaceAll("_total$", "").replace('_', '.');
            assertThat(sources(service)).as("%s registers %s", service, micrometerName).contains("\"" + micrometerName + "\"");
        });
    }

    @Test
    void metricNamesAreReadOutOfPromQl() {
        assertThat(PromQl.metricNames("sum by (job, topic) (rate(kafka_producer_topic_record_send_total{topic=~\".+\\\\.dlq\"}[$__rate_interval])) > 0"))
                .containsExactly("kafka_producer_topic_record_send_total");
        assertThat(PromQl.metricNames("sum(a_total) / on(job) group_left sum(b_seconds_count{x=\"y\"}) and up == 0"))
                .containsExactlyInAnyOrder("a_total", "b_seconds_count", "up");
    }

    /**
     * Gauges every replica sets to the same database-wide figure: summed over N replicas they read N times it (the
     * overdue-task alert fired at a tenth of its threshold with ten pods). Expressions read them with max.
     */
    private static final Set<String> GLOBAL_GAUGES = Set.of("memberpulse_campaign_tasks_overdue");

    @Test
    void gaugesOfDatabaseWideCountsAreReadWithMaxNotSummedOverReplicas() throws IOException {
        List<String> expressions = new ArrayList<>(JSON.readTree(DASHBOARD.toFile()).findValuesAsText("expr"));
        var manifests = Charts.render(Charts.UMBRELLA, Map.of("observability.prometheusRule.enabled", true));
        Map<String, Object> spec = KubernetesSchema.spec(Manifests.ofKind(manifests, "PrometheusRule").get(0));
        for (Object group : (List<?>) spec.get("groups")) {
            for (Object rule : (List<?>) ((Map<?, ?>) group).get("rules")) {
                expressions.add(((Map<?, ?>) rule).get("expr").toString());
            }
        }
        for (String gauge : GLOBAL_GAUGES) {
            List<String> reading = expressions.stream().filter(e -> PromQl.metricNames(e).contains(gauge)).toList();
            assertThat(reading).as("expressions reading %s", gauge).hasSizeGreaterThanOrEqualTo(2);
            assertThat(reading).allSatisfy(e -> assertThat(e)
                    .containsPattern("max(\\s+by\\s*\\([^)]*\\))?\\s*\\(\\s*" + gauge)
                    .doesNotContainPattern("sum(\\s+by\\s*\\([^)]*\\))?\\s*\\(\\s*" + gauge));
        }
    }

    private static void assertKnown(List<String> expressions) {
        for (String expression : expressions) {
            assertThat(PromQl.metricNames(expression)).as(expression).isNotEmpty()
                    .allSatisfy(name -> assertThat(PROJECT.containsKey(name) || STANDARD.contains(name))
                            .as("%s in %s is a metric memberpulse, Quarkus, Kafka or Prometheus emits", name, expression).isTrue());
        }
    }

    private static String sources(String service) {
        try (Stream<Path> files = Files.walk(Charts.PROJECT.resolve(service).resolve("src/main/java"))) {
            StringBuilder all = new StringBuilder();
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                all.append(Files.readString(file));
            }
            return all.toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
