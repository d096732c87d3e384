package io.memberpulse.devstack.cli;

import io.memberpulse.devstack.infra.InfraSettings;
import io.memberpulse.devstack.stack.Infrastructure;
import io.memberpulse.devstack.stack.LocalStack;
import io.memberpulse.devstack.stack.ServiceSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code up}: this JVM hosts the infrastructure memberpulse starts itself (the Kafka broker; embedded
 * PostgreSQL and Redis where the machine has none) and supervises the four service JVMs. It writes
 * {@code stack.env} (addresses and process ids) and {@code ready} into the state folder, and on
 * SIGTERM stops everything it started, in order, before exiting.
 */
final class StackCommand {
    private StackCommand() {
    }

    static int up(Path root, Path state, String heap, String churnHeap) throws IOException, InterruptedException {
        Files.createDirectories(state.resolve("logs"));
        Files.deleteIfExists(state.resolve("ready"));
        Files.deleteIfExists(state.resolve("failed"));
        // The hook is in place before anything starts: a 'down' or Ctrl-C while the stack is still starting (up to
        // minutes) stops what has started, embedded servers included, instead of the JVM exiting at once and the
        // launcher killing the rest, which left the embedded servers' folders behind.
        AtomicReference<Infrastructure> startedInfrastructure = new AtomicReference<>();
        AtomicReference<LocalStack> startedStack = new AtomicReference<>();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("stopping the services and the infrastructure");
            LocalStack running = startedStack.get();
            if (running != null) {
                running.close();
            }
            Infrastructure servers = startedInfrastructure.get();
            if (servers != null) {
                servers.close();
            }
            try {
                Files.deleteIfExists(state.resolve("ready"));
                Files.deleteIfExists(state.resolve("stack.env"));
            } catch (IOException ignored) {
                // best effort: the launcher checks process ids, not these files
            }
            stopped.countDown();
        }, "memberpulse-stop"));
        Infrastructure infrastructure;
        LocalStack stack;
        try {
            infrastructure = Infrastructure.start(InfraSettings.fromEnvironment());
            startedInfrastructure.set(infrastructure);
            System.out.println("infrastructure: " + infrastructure.describe());
            stack = LocalStack.start(root.toAbsolutePath(), infrastructure, LocalStack.defaultPorts(),
                    state.resolve("logs"), LocalStack.heaps(heap, churnHeap), Duration.ofMinutes(3),
                    LauncherTokens.of(state));
            startedStack.set(stack);
        } catch (RuntimeException e) {
            Files.writeString(state.resolve("failed"), String.valueOf(e.getMessage()));
            System.err.println("could not start the stack: " + e.getMessage());
            return 1;
        }

        StackEnv.write(state, infrastructure, stack);
        Files.writeString(state.resolve("ready"), "ready\n");
        for (ServiceSpec spec : ServiceSpec.values()) {
            System.out.printf("%-17s REST %s  gRPC 127.0.0.1:%d%n", spec.moduleName(), stack.httpUrl(spec),
                    stack.grpcPort(spec));
        }
        stopped.await();
        return 0;
    }
}
