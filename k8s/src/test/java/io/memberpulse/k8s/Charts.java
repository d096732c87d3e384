package io.memberpulse.k8s;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The charts of k8s/, copied once per test JVM under target/charts with their file:// dependencies
 * built (the library chart into each service chart, the service charts into the umbrella), as
 * {@code helm dependency build} does; the source tree is never written to.
 */
final class Charts {

    static final String LIBRARY = "memberpulse-common";
    static final String UMBRELLA = "memberpulse";
    static final String RELEASE = "memberpulse";
    static final List<String> SERVICES = List.of("identity-service", "rfm-service", "churn-service", "campaign-service");

    /** The module's folder, k8s/ (Surefire runs in it). */
    static final Path SOURCE = Path.of("").toAbsolutePath();
    /** The project's root, where the services live. */
    static final Path PROJECT = SOURCE.getParent();

    private static Path built;
    private static List<Manifest> defaults;

    private Charts() {
    }

    static List<String> all() {
        return Stream.concat(Stream.of(LIBRARY), Stream.concat(SERVICES.stream(), Stream.of(UMBRELLA))).toList();
    }

    /** The built copy of k8s/ (dependencies in each chart's charts/ folder). */
    static synchronized Path built() {
        if (built == null) {
            Path target = SOURCE.resolve("target/charts");
            copy(target);
            for (String service : SERVICES) {
                new Helm(target.resolve(service)).dependency().update().skipRefresh().call();
            }
            new Helm(target.resolve(UMBRELLA)).dependency().update().skipRefresh().call();
            built = target;
        }
        return built;
    }

    static Helm helm(String chart) {
        return new Helm(built().resolve(chart));
    }

    /** {@code helm template} of a built chart with --set values. */
    static String template(String chart, Map<String, ?> values) {
        TemplateCommand template = helm(chart).template().withName(RELEASE).withNamespace("memberpulse");
        values.forEach(template::set);
        return template.call();
    }

    static List<Manifest> render(String chart, Map<String, ?> values) {
        return Manifests.parse(template(chart, values));
    }

    /** {@code helm template --namespace} of a built chart with --set values: a release in another namespace. */
    static List<Manifest> renderIn(String namespace, String chart, Map<String, ?> values) {
        TemplateCommand template = helm(chart).template().withName(RELEASE).withNamespace(namespace);
        values.forEach(template::set);
        return Manifests.parse(template.call());
    }

    /**
     * The umbrella chart rendered with its default values, once per test JVM: most tests read it, none changes it,
     * and each {@code helm template} costs a second or more.
     */
    static synchronized List<Manifest> defaults() {
        if (defaults == null) {
            defaults = List.copyOf(render(UMBRELLA, Map.of()));
        }
        return defaults;
    }

    /** The service charts, for {@code @MethodSource("io.memberpulse.k8s.Charts#services")}. */
    static List<String> services() {
        return SERVICES;
    }

    /** {@code helm template -f <values file>}: for values --set spells badly (lists of selectors). */
    static String template(String chart, String valuesYaml) {
        try {
            Path file = Files.createTempFile(Files.createDirectories(SOURCE.resolve("target")), "values-", ".yaml");
            try {
                Files.writeString(file, valuesYaml);
                return helm(chart).template().withName(RELEASE).withNamespace("memberpulse").withValuesFile(file).call();
            } finally {
                Files.delete(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<Manifest> render(String chart, String valuesYaml) {
        return Manifests.parse(template(chart, valuesYaml));
    }

    /** A fresh copy of the charts (for a test that breaks one), without built dependencies. */
    static Path copy(Path target) {
        try {
            deleteRecursively(target);
            for (String chart : all()) {
                Path from = SOURCE.resolve(chart);
                try (Stream<Path> files = Files.walk(from)) {
                    for (Path file : (Iterable<Path>) files::iterator) {
                        Path relative = from.relativize(file);
                        if (relative.startsWith("charts") || relative.toString().equals("Chart.lock")) {
                            continue; // a developer's local `helm dependency build` output
                        }
                        Path to = target.resolve(chart).resolve(relative.toString());
                        if (Files.isDirectory(file)) {
                            Files.createDirectories(to);
                        } else {
                            Files.copy(file, to, StandardCopyOption.REPLACE_EXISTING);
                        }
                    }
                }
            }
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteRecursively(Path path) throws IOException {
        if (!Files.exists(path)) {
            return;
        }
        try (Stream<Path> files = Files.walk(path)) {
            for (Path file : files.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
                Files.delete(file);
            }
        }
    }
}
