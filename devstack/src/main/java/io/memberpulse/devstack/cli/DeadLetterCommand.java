package io.memberpulse.devstack.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;

/**
 * {@code dlq list} and {@code dlq replay TOPIC.dlq [--reason TEXT] [--dry-run]} against the broker KAFKA_BOOTSTRAP_SERVERS
 * names, else the local stack's (from the state folder's stack.env); the security settings from the environment, as
 * the services take them.
 */
final class DeadLetterCommand {
    static final String USAGE = "usage: ./memberpulse dlq list | dlq replay TOPIC.dlq [--reason TEXT] [--dry-run]";

    private DeadLetterCommand() {
    }

    /** @param args what follows "dlq" */
    static int run(String[] args) throws IOException {
        return run(args, System.getenv(), System.out);
    }

    /** @param environment where KAFKA_BOOTSTRAP_SERVERS and the client's security settings are read */
    static int run(String[] args, Map<String, String> environment, PrintStream out) throws IOException {
        Path state = Path.of(".memberpulse");
        String what = null;
        String topic = null;
        String reason = null;
        boolean dryRun = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--state", "--reason" -> {
                    if (i + 1 == args.length || args[i + 1].startsWith("--")) {
                        return usage(args[i] + " needs a value");
                    }
                    if (args[i].equals("--state")) {
                        state = Path.of(args[++i]);
                    } else {
                        reason = args[++i];
                    }
                }
                case "--dry-run" -> dryRun = true;
                default -> {
                    if (args[i].startsWith("--")) {
                        return usage("unknown option " + args[i]);
                    } else if (what == null) {
                        what = args[i];
                    } else if (topic == null) {
                        topic = args[i];
                    } else {
                        return usage("one topic at a time");
                    }
                }
            }
        }
        boolean list = "list".equals(what) && topic == null && reason == null && !dryRun;
        if (!list && !("replay".equals(what) && topic != null)) {
            return usage(null);
        }
        String bootstrap = environment.get("KAFKA_BOOTSTRAP_SERVERS");
        if (bootstrap == null || bootstrap.isBlank()) {
            bootstrap = SummaryCommand.readEnv(state.resolve("stack.env")).get("KAFKA_BOOTSTRAP_SERVERS");
        }
        if (bootstrap == null) {
            System.err.println("no broker: the stack is not up (no " + state.resolve("stack.env")
                    + ") and KAFKA_BOOTSTRAP_SERVERS is not set");
            return 1;
        }
        Map<String, Object> kafka = DeadLetters.clientProperties(bootstrap, environment);
        return list ? new DeadLetterTopics(kafka, DeadLetters.REPLAY_GROUP, out).run()
                : new DeadLetterReplay(kafka, DeadLetters.REPLAY_GROUP, out).run(topic, reason, dryRun);
    }

    private static int usage(String problem) {
        if (problem != null) {
            System.err.println(problem);
        }
        System.err.println(USAGE);
        return 2;
    }
}
