package io.memberpulse.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ChartLintTest {

    static Iterable<String> charts() {
        return Charts.all();
    }

    @ParameterizedTest
    @MethodSource("charts")
    void everyChartPassesStrictLint(String chart) {
        LintResult lint = Charts.helm(chart).lint().strict().call();

        assertThat(lint.isFailed()).as("helm lint --strict %s: %s", chart, lint.getMessages()).isFalse();
        assertThat(lint.getMessages()).noneMatch(message -> message.contains("[ERROR]") || message.contains("[WARNING]"));
    }

    @Test
    void aBrokenTemplateFailsLint(@TempDir Path temp) throws IOException {
        Path charts = Charts.copy(temp.resolve("charts"));
        Path template = charts.resolve("identity-service/templates/broken.yaml");
        Files.writeString(template, "{{- if .Values.replicaCount }}\nkind: ConfigMap\n"); // no {{ end }}
        new Helm(charts.resolve("identity-service")).dependency().update().skipRefresh().call();

        LintResult lint = new Helm(charts.resolve("identity-service")).lint().strict().call();

        assertThat(lint.isFailed()).isTrue();
        assertThat(lint.getMessages()).anyMatch(message -> message.contains("[ERROR]") && message.contains("broken.yaml"));
    }

    @Test
    void anUmbrellaWithoutItsServiceChartsFailsLint(@TempDir Path temp) {
        Path charts = Charts.copy(temp.resolve("charts")); // no dependency update: charts/ is empty

        LintResult lint = new Helm(charts.resolve(Charts.UMBRELLA)).lint().strict().call();

        assertThat(lint.isFailed()).isTrue();
        assertThat(lint.getMessages()).anyMatch(message -> message.contains("missing") && message.contains("identity-service"));
    }

    @Test
    void autoscalingBoundsTheWrongWayRoundFailToRender() {
        assertThatThrownBy(() -> Charts.template(Charts.UMBRELLA, Map.of(
                "rfm-service.autoscaling.minReplicas", 5, "rfm-service.autoscaling.maxReplicas", 2)))
                .hasMessageContaining("autoscaling.minReplicas (5) must not exceed autoscaling.maxReplicas (2)");
    }

    @Test
    void aChartWritingCredentialsNeedsThem() {
        assertThatThrownBy(() -> Charts.template("churn-service", Map.of("credentials.create", true)))
                .hasMessageContaining("credentials.postgresUser is required");
    }
}
