package io.memberpulse.devstack.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** One service running from its built jar (target/quarkus-app/quarkus-run.jar) in its own JVM. */
public final class ServiceProcess implements AutoCloseable {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    /** The launcher's variable for the interface the services listen on (default the loopback). */
    public static final String LISTEN_HOST = "MEMBERPULSE_LISTEN_HOST";

    private final ServiceSpec spec;
    private final Process process;
    private final Path logFile;
    private final int httpPort;
    private final int grpcPort;

    private ServiceProcess(ServiceSpec spec, Process process, Path logFile, int httpPort, int grpcPort) {
        this.spec = spec;
        this.process = process;
        this.logFile = logFile;
        this.httpPort = httpPort;
        this.grpcPort = grpcPort;
    }

    public static Path jarOf(Path root, ServiceSpec spec) {
        return root.resolve(spec.moduleName()).resolve("target/quarkus-app/quarkus-run.jar");
    }

    public static ServiceProcess start(Path root, ServiceSpec spec, Map<String, String> environment, Path logDir,
            int httpPort, int grpcPort, String maxHeap) {
        Path jar = jarOf(root, spec);
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: build first (./mvnw -B package -DskipTests)");
        }
        // Another process on the port (a stack already up, a service in dev mode) would answer the readiness
        // probe for this one, which fails to bind and exits: the stack would look ready with someone else's service.
        requireFree(spec, "HTTP", httpPort);
        requireFree(spec, "gRPC", grpcPort);
        try {
            Files.createDirectories(logDir);
            Path logFile = logDir.resolve(spec.moduleName() + ".log");
            String java = ProcessHandle.current().info().command().orElse("java");
            // Serial GC: four small heaps on two cores; the parallel collectors only add threads and RSS.
            List<String> command = new ArrayList<>(List.of(java, "-Xmx" + maxHeap, "-XX:+UseSerialGC",
                    "-jar", jar.toString()));
            ProcessBuilder builder = new ProcessBuilder(command)
                    .directory(root.resolve(spec.moduleName()).toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.to(logFile.toFile()));
            builder.environment().putAll(environment);
            builder.environment().putAll(listening(httpPort, grpcPort, System.getenv(LISTEN_HOST)));
            return new ServiceProcess(spec, builder.start(), logFile, httpPort, grpcPort);
        } catch (IOException e) {
            throw new UncheckedIOException("could not start " + spec.moduleName(), e);
        }
    }

    /**
     * Where the service listens: its ports, on the loopback interface unless MEMBERPULSE_LISTEN_HOST names another
     * (0.0.0.0 for every interface). Quarkus listens on every interface outside dev mode, which on a laptop would put
     * the APIs, {@code /q/*} and gRPC reflection on the local network.
     */
    static Map<String, String> listening(int httpPort, int grpcPort, String listenHost) {
        String host = listenHost == null || listenHost.isBlank() ? "127.0.0.1" : listenHost.trim();
        return Map.of("HTTP_PORT", String.valueOf(httpPort), "GRPC_PORT", String.valueOf(grpcPort),
                "QUARKUS_HTTP_HOST", host, "QUARKUS_GRPC_SERVER_HOST", host);
    }

    static void requireFree(ServiceSpec spec, String what, int port) {
        try (ServerSocket probe = new ServerSocket()) {
            probe.bind(new InetSocketAddress(port));
        } catch (IOException e) {
            throw new IllegalStateException(spec.moduleName() + "'s " + what + " port " + port + " is taken by another "
                    + "process (a stack already up, or a service in dev mode?): stop it, then start again");
        }
    }

    /** Waits until /q/health/ready answers 200; fails early with the log's tail if the JVM exits. */
    public void awaitReady(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        HttpRequest request = HttpRequest.newBuilder(URI.create(httpUrl() + "/q/health/ready"))
                .timeout(Duration.ofSeconds(3)).GET().build();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(spec.moduleName() + " exited with " + process.exitValue()
                        + "; last lines of " + logFile + ":\n" + tail(40));
            }
            try {
                if (HTTP.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for " + spec.moduleName(), e);
            }
            sleep(250);
        }
        throw new IllegalStateException(spec.moduleName() + " not ready after " + timeout.toSeconds() + " s; last lines of "
                + logFile + ":\n" + tail(40));
    }

    public String tail(int lines) {
        try {
            List<String> all = Files.readAllLines(logFile);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public ServiceSpec spec() {
        return spec;
    }

    public String httpUrl() {
        return "http://127.0.0.1:" + httpPort;
    }

    public int httpPort() {
        return httpPort;
    }

    public int grpcPort() {
        return grpcPort;
    }

    public long pid() {
        return process.pid();
    }

    public Path logFile() {
        return logFile;
    }

    /** SIGTERM, a grace period for Quarkus's orderly shutdown, then SIGKILL. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
