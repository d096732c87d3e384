package io.memberpulse.devstack.cli;

import io.memberpulse.devstack.stack.Infrastructure;
import io.memberpulse.devstack.stack.LocalStack;
import io.memberpulse.devstack.stack.ServiceProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The state folder's {@code stack.env}: where a running stack's broker, servers and services are (NAME=value lines),
 * written by {@code up} and read by every other command and by the launcher script. Public for the end-to-end test,
 * which runs the launcher's commands against the stack it started.
 */
public final class StackEnv {
    private StackEnv() {
    }

    /** Writes stack.env into state for this stack, this JVM as its supervisor (DEVSTACK_PID). */
    public static void write(Path state, Infrastructure infrastructure, LocalStack stack) throws IOException {
        List<String> env = new ArrayList<>();
        env.add("DEVSTACK_PID=" + ProcessHandle.current().pid());
        env.add("KAFKA_BOOTSTRAP_SERVERS=" + infrastructure.kafka().bootstrapServers());
        env.add("POSTGRES=" + infrastructure.postgres().host() + ":" + infrastructure.postgres().port());
        env.add("REDIS=" + infrastructure.redis().host() + ":" + infrastructure.redis().port());
        for (ServiceProcess process : stack.processes()) {
            String name = process.spec().name();
            env.add(name + "_URL=" + process.httpUrl());
            env.add(name + "_GRPC=127.0.0.1:" + process.grpcPort());
            env.add(name + "_PID=" + process.pid());
            env.add(name + "_LOG=" + process.logFile().toAbsolutePath());
        }
        Files.write(state.resolve("stack.env"), env);
    }
}
