package io.memberpulse.k8s;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/** Splits {@code helm template} output into documents and deserializes each with fabric8's model. */
final class Manifests {

    static final KubernetesSerialization KUBERNETES = new KubernetesSerialization();
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Pattern SEPARATOR = Pattern.compile("(?m)^---\\s*$");
    private static final Pattern SOURCE = Pattern.compile("(?m)^# Source: (.+)$");

    private Manifests() {
    }

    static List<Manifest> parse(String rendered) {
        List<Manifest> manifests = new ArrayList<>();
        for (String document : SEPARATOR.split(rendered)) {
            String body = document.lines().filter(line -> !line.startsWith("#")).reduce("", (a, b) -> a + b + "\n");
            if (body.isBlank()) {
                continue;
            }
            var source = SOURCE.matcher(document);
            String from = source.find() ? source.group(1) : "?";
            Map<String, Object> tree = tree(body, from);
            Object resource = KUBERNETES.unmarshal(body);
            if (!(resource instanceof HasMetadata object)) {
                throw new AssertionError(from + " is not a Kubernetes object: " + resource);
            }
            manifests.add(new Manifest(from, tree, object));
        }
        return manifests;
    }

    static List<Manifest> ofKind(List<Manifest> manifests, String kind) {
        return manifests.stream().filter(m -> m.kind().equals(kind)).toList();
    }

    static Manifest one(List<Manifest> manifests, String kind, String name) {
        return find(manifests, m -> m.kind().equals(kind) && m.name().equals(name))
                .orElseThrow(() -> new AssertionError("no " + kind + "/" + name + " in " + manifests));
    }

    static Optional<Manifest> find(List<Manifest> manifests, Predicate<Manifest> which) {
        return manifests.stream().filter(which).findFirst();
    }

    private static Map<String, Object> tree(String yaml, String source) {
        try {
            return YAML.readValue(yaml, new TypeReference<>() {
            });
        } catch (IOException e) {
            throw new UncheckedIOException("unreadable YAML from " + source, e);
        }
    }
}
