package io.memberpulse.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.xpath.XPathFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.w3c.dom.Document;

/**
 * What can be checked of the native build without GraalVM or Docker: the profile, the Dockerfiles,
 * the native-image configuration naming classes that exist, and the CI workflow that builds them.
 */
class NativeBuildFilesTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Pattern EXPOSE = Pattern.compile("(?m)^EXPOSE\\s+(.+)$");
    private static final Pattern FROM = Pattern.compile("(?m)^FROM\\s+(\\S+)");

    @ParameterizedTest
    @MethodSource("io.memberpulse.k8s.Charts#services")
    void dockerfilesExposeTheServicesPorts(String service) throws IOException {
        ServiceConfig config = ServiceConfig.of(service);
        Path docker = Charts.PROJECT.resolve(service).resolve("src/main/docker");
        String jvm = Files.readString(docker.resolve("Dockerfile.jvm"));
        String nativeMicro = Files.readString(docker.resolve("Dockerfile.native-micro"));

        for (String dockerfile : List.of(jvm, nativeMicro)) {
            var expose = EXPOSE.matcher(dockerfile);
            assertThat(expose.find()).isTrue();
            assertThat(expose.group(1).trim().split("\\s+")).containsExactly(String.valueOf(config.httpPort()), String.valueOf(config.grpcPort()));
            assertThat(dockerfile).contains("USER ");
        }
        assertThat(from(jvm)).startsWith("registry.access.redhat.com/ubi9/openjdk-17");
        assertThat(jvm).contains("target/quarkus-app/lib/", "/deployments/quarkus-run.jar", "run-java.sh");
        assertThat(from(nativeMicro)).startsWith("quay.io/quarkus/ubi9-quarkus-micro-image");
        assertThat(nativeMicro).contains("target/*-runner", "ENTRYPOINT [\"./application\"");
    }

    /** XGBoost's JNI library links libgomp.so.1, which neither base image is relied on to have. */
    @Test
    void churnImagesCarryTheOpenMpRuntimeXgboostLinks() throws IOException {
        Path docker = Charts.PROJECT.resolve("churn-service/src/main/docker");
        String jvm = Files.readString(docker.resolve("Dockerfile.jvm"));
        String nativeMicro = Files.readString(docker.resolve("Dockerfile.native-micro"));

        assertThat(jvm).containsSubsequence("USER root", "microdnf install -y libgomp", "USER 185", "ENTRYPOINT");
        assertThat(nativeMicro).containsSubsequence("microdnf install -y libgomp",
                "FROM quay.io/quarkus/ubi9-quarkus-micro-image", "COPY --from=libgomp /usr/lib64/libgomp.so.1", "ENTRYPOINT");
    }

    @Test
    void nativeImageConfigurationNamesClassesThatExist() throws IOException {
        List<Path> configs = new ArrayList<>();
        for (String service : Charts.SERVICES) {
            Path root = Charts.PROJECT.resolve(service).resolve("src/main/resources/META-INF/native-image");
            if (Files.isDirectory(root)) {
                try (Stream<Path> files = Files.walk(root)) {
                    files.filter(f -> f.toString().endsWith(".json")).forEach(configs::add);
                }
            }
        }
        assertThat(configs).isNotEmpty();
        for (Path config : configs) {
            JsonNode json = JSON.readTree(config.toFile());
            String service = Charts.PROJECT.relativize(config).getName(0).toString();
            if (config.getFileName().toString().equals("reflect-config.json")) {
                assertThat(json.isArray()).isTrue();
                json.forEach(entry -> assertThat(sourceDeclares(service, entry.path("name").asText()))
                        .as("%s: %s names a class of %s", config.getFileName(), entry.path("name").asText(), service).isTrue());
            } else if (config.getFileName().toString().equals("resource-config.json")) {
                json.path("resources").path("includes").forEach(include -> Pattern.compile(include.path("pattern").asText()));
                assertThat(json.path("resources").path("includes")).isNotEmpty();
            } else if (config.getFileName().toString().equals("jni-config.json")) {
                // classes a library's native code looks up (XGBoost's model dump builds a String[]): the JDK's or ours
                assertThat(json.isArray()).isTrue();
                assertThat(json).isNotEmpty();
                json.forEach(entry -> assertThat(isJdkClass(entry.path("name").asText())
                        || sourceDeclares(service, entry.path("name").asText()))
                        .as("%s: %s names a class of the JDK or of %s", config.getFileName(), entry.path("name").asText(),
                                service).isTrue());
            } else {
                throw new AssertionError("unexpected native-image configuration " + config);
            }
        }
    }

    private static boolean isJdkClass(String name) {
        try {
            return Class.forName(name, false, ClassLoader.getPlatformClassLoader()).getModule().getName().startsWith("java.");
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    @Test
    void theRootPomHasANativeProfile() throws Exception {
        Document pom = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(Charts.PROJECT.resolve("pom.xml").toFile());
        var xpath = XPathFactory.newInstance().newXPath();
        String profile = "/*[local-name()='project']/*[local-name()='profiles']/*[local-name()='profile'][*[local-name()='id']='native']"
                + "/*[local-name()='properties']/*[local-name()='%s']";

        assertThat(xpath.evaluate(profile.formatted("quarkus.native.enabled"), pom)).isEqualTo("true");
        assertThat(xpath.evaluate(profile.formatted("quarkus.package.jar.enabled"), pom)).isEqualTo("false");
        assertThat(xpath.evaluate(profile.formatted("quarkus.native.container-build"), pom)).isEqualTo("false");
    }

    @Test
    void theNativeWorkflowBuildsAndProbesEveryService() throws IOException {
        JsonNode workflow = YAML.readTree(Charts.PROJECT.resolve(".github/workflows/native.yml").toFile());
        JsonNode nativeJob = workflow.path("jobs").path("native");

        Map<String, JsonNode> matrix = new TreeMap<>();
        nativeJob.path("strategy").path("matrix").path("include").forEach(entry -> matrix.put(entry.path("service").asText(), entry));
        assertThat(matrix.keySet()).containsExactlyInAnyOrderElementsOf(Charts.SERVICES);
        matrix.forEach((service, entry) -> {
            ServiceConfig config = ServiceConfig.of(service);
            assertThat(entry.path("http").asInt()).as(service).isEqualTo(config.httpPort());
            assertThat(entry.path("grpc").asInt()).as(service).isEqualTo(config.grpcPort());
            assertThat(entry.path("database").asText()).as(service).isEqualTo(config.database());
        });
        String steps = StreamSupport.stream(nativeJob.path("steps").spliterator(), false)
                .map(JsonNode::toString).collect(Collectors.joining("\n"));
        assertThat(steps).contains("graalvm/setup-graalvm", "-Pnative", "/q/health/ready", "Dockerfile.native-micro");
        assertThat(nativeJob.path("services").fieldNames()).toIterable().containsExactlyInAnyOrder("postgres", "redis", "kafka");
    }

    /** The runtime's base image: the last stage's, as a build stage may come first. */
    private static String from(String dockerfile) {
        var from = FROM.matcher(dockerfile);
        String image = null;
        while (from.find()) {
            image = from.group(1);
        }
        assertThat(image).isNotNull();
        return image;
    }

    /** Whether the service's sources declare the class (nested types as Outer$Inner). */
    private static boolean sourceDeclares(String service, String className) {
        String[] nesting = className.split("\\$");
        Path file = Charts.PROJECT.resolve(service).resolve("src/main/java").resolve(nesting[0].replace('.', '/') + ".java");
        if (!Files.isRegularFile(file)) {
            return false;
        }
        try {
            String source = Files.readString(file);
            return Stream.of(nesting).skip(1).allMatch(inner -> Pattern.compile("\\b(class|record|enum|interface)\\s+" + inner + "\\b").matcher(source).find());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
