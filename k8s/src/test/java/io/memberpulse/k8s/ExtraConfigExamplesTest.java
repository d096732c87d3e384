package io.memberpulse.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The variables each chart's values.yaml suggests for {@code extraConfig} are ones the service reads: a
 * {@code ${VARIABLE}} in its application.properties, or the environment form (MEMBERPULSE_RFM_DAY_ZONE) of a
 * property it has, in application.properties or in its {@code @ConfigMapping} interfaces.
 */
class ExtraConfigExamplesTest {

    private static final Pattern SUGGESTED = Pattern.compile("\\b([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+):");
    private static final Pattern PREFIX = Pattern.compile("@ConfigMapping\\(prefix = \"([^\"]+)\"\\)");
    private static final Pattern ACCESSOR = Pattern.compile("^( {4}| {8})[\\w<>, ?]+\\s+(\\w+)\\(\\);");
    private static final Pattern WITH_NAME = Pattern.compile("^\\s+@WithName\\(\"([^\"]+)\"\\)");
    private static final Pattern NESTED = Pattern.compile("^ {4}interface (\\w+) \\{");

    @ParameterizedTest
    @MethodSource("io.memberpulse.k8s.Charts#services")
    void everySuggestedVariableIsOneTheServiceReads(String service) {
        List<String> suggested = suggested(service);
        assertThat(suggested).as("%s/values.yaml suggests extraConfig variables", service).isNotEmpty();

        Set<String> read = new TreeSet<>(ServiceConfig.of(service).environment());
        for (String property : properties(service)) {
            read.add(environmentForm(property));
        }
        assertThat(read).as("variables %s reads", service).containsAll(suggested);
    }

    /** The parser of @ConfigMapping sources finds what it must, so the check above is not vacuous. */
    @Test
    void theDayZonesOfTheConfigMappingsAreFound() {
        assertThat(properties("churn-service")).contains("memberpulse.churn.day-zone", "memberpulse.churn.facts-wait");
        assertThat(properties("campaign-service")).contains("memberpulse.campaign.day-zone");
        assertThat(properties("rfm-service")).contains("memberpulse.rfm.day-zone", "memberpulse.rfm.refresh-every");
        assertThat(properties("identity-service")).contains("memberpulse.identity.attribution.visit-window");
    }

    /** NAME: tokens in the comment lines right above {@code extraConfig:}. */
    static List<String> suggested(String service) {
        List<String> lines = read(Charts.SOURCE.resolve(service).resolve("values.yaml"));
        int at = lines.indexOf("extraConfig: {}");
        assertThat(at).as("extraConfig in %s/values.yaml", service).isPositive();
        List<String> names = new ArrayList<>();
        for (int i = at - 1; i >= 0 && lines.get(i).startsWith("#"); i--) {
            Matcher matcher = SUGGESTED.matcher(lines.get(i));
            while (matcher.find()) {
                names.add(matcher.group(1));
            }
        }
        return names;
    }

    /** SmallRye Config's environment name of a property: every other character an underscore, upper case. */
    static String environmentForm(String property) {
        return property.replaceAll("[^A-Za-z0-9]", "_").toUpperCase(Locale.ROOT);
    }

    /** The service's property names: application.properties' keys and its @ConfigMapping accessors. */
    static Set<String> properties(String service) {
        Set<String> names = new TreeSet<>();
        Properties file = new Properties();
        try (Reader reader = Files.newBufferedReader(ServiceConfig.properties(service))) {
            file.load(reader);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        file.stringPropertyNames().stream().filter(key -> !key.startsWith("%")).forEach(names::add);
        try (Stream<Path> sources = Files.walk(Charts.PROJECT.resolve(service).resolve("src/main/java"))) {
            for (Path source : sources.filter(path -> path.toString().endsWith(".java")).toList()) {
                names.addAll(mapped(read(source)));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return names;
    }

    /**
     * Properties of one @ConfigMapping interface in this project's style: accessors of the interface itself
     * (4 spaces) name a property or a group, accessors of a nested interface (8 spaces) name a property of
     * the group that returns it. Over-approximates (a group is also listed as a property), which is harmless here.
     */
    private static Set<String> mapped(List<String> lines) {
        Set<String> names = new TreeSet<>();
        String prefix = lines.stream().map(PREFIX::matcher).filter(Matcher::find).map(m -> m.group(1)).findFirst().orElse(null);
        if (prefix == null) {
            return names;
        }
        Map<String, List<String>> groupsOfType = new HashMap<>();
        Map<String, List<String>> leavesOfType = new HashMap<>();
        String nested = null;
        String withName = null;
        for (String line : lines) {
            Matcher interfaceStart = NESTED.matcher(line);
            if (interfaceStart.find()) {
                nested = interfaceStart.group(1);
                continue;
            }
            if (line.equals("    }")) {
                nested = null;
                continue;
            }
            Matcher named = WITH_NAME.matcher(line);
            if (named.find()) {
                withName = named.group(1);
                continue;
            }
            Matcher accessor = ACCESSOR.matcher(line);
            if (accessor.find()) {
                String name = withName != null ? withName : kebab(accessor.group(2));
                String type = line.trim().split("\\s+")[0];
                if (accessor.group(1).length() == 4 && nested == null) {
                    names.add(prefix + "." + name);
                    groupsOfType.computeIfAbsent(type, t -> new ArrayList<>()).add(name);
                } else if (nested != null) {
                    leavesOfType.computeIfAbsent(nested, t -> new ArrayList<>()).add(name);
                }
            }
            if (!line.isBlank() && !line.trim().startsWith("@") && !line.trim().startsWith("*") && !line.trim().startsWith("/")) {
                withName = null;
            }
        }
        groupsOfType.forEach((type, groups) -> leavesOfType.getOrDefault(type, List.of()).forEach(leaf ->
                groups.forEach(group -> names.add(prefix + "." + group + "." + leaf))));
        return names;
    }

    private static String kebab(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
    }

    private static List<String> read(Path file) {
        try {
            return Files.readAllLines(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
