package io.memberpulse.k8s;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What a service's application.properties says about ports, database and environment variables. */
record ServiceConfig(String service, int httpPort, int grpcPort, String database, Set<String> environment) {

    private static final Pattern EXPRESSION = Pattern.compile("\\$\\{([A-Z][A-Z0-9_]*)(?::([^}]*))?}");

    static Path properties(String service) {
        return Charts.PROJECT.resolve(service).resolve("src/main/resources/application.properties");
    }

    static ServiceConfig of(String service) {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(properties(service))) {
            properties.load(reader);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Set<String> environment = new TreeSet<>();
        for (String key : properties.stringPropertyNames()) {
            Matcher matcher = EXPRESSION.matcher(properties.getProperty(key));
            while (matcher.find()) {
                environment.add(matcher.group(1));
            }
        }
        return new ServiceConfig(service,
                Integer.parseInt(defaultOf(properties, "quarkus.http.port", "HTTP_PORT")),
                Integer.parseInt(defaultOf(properties, "quarkus.grpc.server.port", "GRPC_PORT")),
                defaultOf(properties, "quarkus.datasource.jdbc.url", "POSTGRES_DB"),
                environment);
    }

    /** The default of {@code ${VARIABLE:default}} inside a property, e.g. 8081 for HTTP_PORT. */
    private static String defaultOf(Properties properties, String key, String variable) {
        String value = properties.getProperty(key);
        if (value == null) {
            throw new AssertionError(key + " missing from " + properties);
        }
        Matcher matcher = EXPRESSION.matcher(value);
        while (matcher.find()) {
            if (matcher.group(1).equals(variable) && matcher.group(2) != null) {
                return matcher.group(2);
            }
        }
        throw new AssertionError(key + "=" + value + " does not read ${" + variable + ":default}");
    }
}
