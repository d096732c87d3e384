package io.memberpulse.devstack.stack;

import io.memberpulse.devstack.auth.DevTokens;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The four services started from their built jars against one {@link Infrastructure}, all trusting the
 * stack's token issuer. They never call each other (they meet only on Kafka), so none is told where the
 * others are. Used by the launcher and by the end-to-end tests.
 */
public final class LocalStack implements AutoCloseable {
    private final Map<ServiceSpec, ServiceProcess> services;
    private final DevTokens tokens;

    private LocalStack(Map<ServiceSpec, ServiceProcess> services, DevTokens tokens) {
        this.services = services;
        this.tokens = tokens;
    }

    /** Ports per service: the documented defaults, or free ones (tests, so two runs never collide). */
    public record Ports(int http, int grpc) {
    }

    /**
     * The services' maximum heaps: one for most; churn-service's own, since a training run holds every
     * member's history and the features at some thirty cut-offs (CDNOW copied 10 times, 23,570 members,
     * needs about 1 GB; TrainingScaleBenchmarkTest).
     */
    public static Map<ServiceSpec, String> heaps(String services, String churn) {
        Map<ServiceSpec, String> heaps = new EnumMap<>(ServiceSpec.class);
        for (ServiceSpec spec : ServiceSpec.values()) {
            heaps.put(spec, spec == ServiceSpec.CHURN ? churn : services);
        }
        return heaps;
    }

    /**
     * @param tokens the stack's identity provider: the services verify tokens with its public key
     */
    public static LocalStack start(Path root, Infrastructure infrastructure, Map<ServiceSpec, Ports> ports,
            Path logDir, Map<ServiceSpec, String> maxHeaps, Duration readyTimeout, DevTokens tokens) {
        Map<String, String> shared = sharedEnvironment(tokens);
        Map<ServiceSpec, ServiceProcess> started = new EnumMap<>(ServiceSpec.class);
        LocalStack stack = new LocalStack(started, tokens);
        try {
            for (ServiceSpec spec : ServiceSpec.values()) {
                Map<String, String> env = new java.util.LinkedHashMap<>(infrastructure.environmentFor(spec));
                env.putAll(shared);
                Ports p = ports.get(spec);
                started.put(spec, ServiceProcess.start(root, spec, env, logDir, p.http(), p.grpc(), maxHeaps.get(spec)));
            }
            List<CompletableFuture<Void>> ready = new ArrayList<>();
            for (ServiceProcess process : started.values()) {
                ready.add(CompletableFuture.runAsync(() -> process.awaitReady(readyTimeout)));
            }
            CompletableFuture.allOf(ready.toArray(CompletableFuture[]::new)).join();
            return stack;
        } catch (RuntimeException e) {
            stack.close();
            throw e.getCause() instanceof RuntimeException cause ? cause : e;
        }
    }

    /** What every service is given besides its own infrastructure: the token issuer and its public key. */
    static Map<String, String> sharedEnvironment(DevTokens tokens) {
        return Map.of("MP_JWT_VERIFY_PUBLICKEY", tokens.publicKeyPem(), "MEMBERPULSE_AUTH_ISSUER", DevTokens.ISSUER);
    }

    public static Map<ServiceSpec, Ports> defaultPorts() {
        Map<ServiceSpec, Ports> ports = new EnumMap<>(ServiceSpec.class);
        for (ServiceSpec spec : ServiceSpec.values()) {
            ports.put(spec, new Ports(spec.httpPort(), spec.grpcPort()));
        }
        return ports;
    }

    public static Map<ServiceSpec, Ports> freePorts() {
        Map<ServiceSpec, Ports> ports = new EnumMap<>(ServiceSpec.class);
        ServiceSpec[] specs = ServiceSpec.values();
        // all at once: ports asked for one by one can repeat (FreePorts.distinct)
        int[] free = io.memberpulse.devstack.infra.FreePorts.distinct(specs.length * 2);
        for (int i = 0; i < specs.length; i++) {
            ports.put(specs[i], new Ports(free[2 * i], free[2 * i + 1]));
        }
        return ports;
    }

    /** Signs tokens the services accept (their callers' identity provider, for this stack). */
    public DevTokens tokens() {
        return tokens;
    }

    public ServiceProcess service(ServiceSpec spec) {
        return services.get(spec);
    }

    public String httpUrl(ServiceSpec spec) {
        return services.get(spec).httpUrl();
    }

    public int grpcPort(ServiceSpec spec) {
        return services.get(spec).grpcPort();
    }

    public List<ServiceProcess> processes() {
        return List.copyOf(services.values());
    }

    @Override
    public void close() {
        services.values().parallelStream().forEach(ServiceProcess::close);
    }
}
