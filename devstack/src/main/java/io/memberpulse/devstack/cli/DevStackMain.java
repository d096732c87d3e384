package io.memberpulse.devstack.cli;

import io.memberpulse.devstack.infra.InfraSettings;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Entry point of the {@code memberpulse} launcher's Java side:
 * <pre>
 *   up      --root DIR --state DIR [--heap 256m] [--churn-heap 2g]   start infrastructure and the four services, stay up
 *   import  FILE --url IDENTITY_URL --state DIR [--chunk 50000]   stream a channel-event CSV (or .csv.gz) with progress
 *   export  identities|duplicate-orders FILE --url IDENTITY_URL --state DIR
 *                                                    stream one of identity-service's CSV exports to FILE
 *   summary --state DIR                              wait for the pipeline to settle, print what it knows
 *   churn-score --state DIR --as-of DATE --horizon DAYS --out FILE
 *                                                    train on facts before DATE, score every earlier buyer to CSV
 *   churn-train --state DIR [--as-of DATE] [--horizon DAYS]
 *                                                    train a model version on the facts known, promoted if it beats the current
 *   token   --state DIR [--role analyst|steward|staff|ingest] [--store STORE]
 *                                                    print a bearer token the stack's services accept
 *   erase   MEMBER_ID --reference TEXT --state DIR   erase a member at the person's request (identity-service, steward)
 *   erasure ERASURE_ID --state DIR                   print an erasure as identity-service recorded it
 *   reset                                            drop the services' databases and Redis keys (stack down)
 *   dlq list --state DIR                             each dead-letter topic: records, not replayed yet, top reasons
 *   dlq replay TOPIC.dlq --state DIR [--reason TEXT] [--dry-run]
 *                                                    re-send its records not replayed before to the topic they came from
 * </pre>
 * Every command signs its own requests with the stack's key (state folder, auth/).
 */
public final class DevStackMain {
    private DevStackMain() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            usage();
        }
        if (args[0].equals("dlq")) {
            // its own options: --dry-run takes no value
            System.exit(DeadLetterCommand.run(Arrays.copyOfRange(args, 1, args.length)));
        }
        if (args[0].equals("erase") || args[0].equals("erasure")) {
            // its own options: unknown ones and a missing --reference are the usage, not ignored
            System.exit(ErasureCommand.run(args, System.out, System.err));
        }
        Map<String, String> options = options(Arrays.copyOfRange(args, 1, args.length));
        int exit = switch (args[0]) {
            case "up" -> StackCommand.up(Path.of(options.getOrDefault("root", ".")),
                    Path.of(options.getOrDefault("state", ".memberpulse")), options.getOrDefault("heap", "256m"),
                    options.getOrDefault("churn-heap", "2g"));
            case "import" -> ImportCommand.run(Path.of(require(options, "file")), require(options, "url"),
                    Integer.parseInt(options.getOrDefault("chunk", Integer.toString(ImportCommand.DEFAULT_CHUNK))),
                    LauncherTokens.bearer(state(options)));
            case "export" -> args.length < 3 ? usageExit() : ExportCommand.run(args[1], Path.of(args[2]),
                    require(options, "url"), LauncherTokens.bearer(state(options)));
            case "token" -> TokenCommand.run(state(options), options.getOrDefault("role", "analyst"),
                    options.get("store"));
            case "summary" -> SummaryCommand.run(state(options));
            case "reset" -> ResetCommand.run(InfraSettings.fromEnvironment());
            case "churn-score" -> ChurnScoreCommand.run(state(options),
                    require(options, "as-of"), require(options, "horizon"), Path.of(require(options, "out")));
            case "churn-train" -> ChurnTrainCommand.run(state(options), options.get("as-of"), options.get("horizon"));
            default -> {
                usage();
                yield 2;
            }
        };
        System.exit(exit);
    }

    /** "--name value" pairs; a first bare word is "file". */
    static Map<String, String> options(String[] args) {
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].startsWith("--") && i + 1 < args.length) {
                options.put(args[i].substring(2), args[++i]);
            } else if (!args[i].startsWith("--")) {
                options.putIfAbsent("file", args[i]);
            } else {
                throw new IllegalArgumentException(args[i] + " needs a value");
            }
        }
        return options;
    }

    private static Path state(Map<String, String> options) {
        return Path.of(options.getOrDefault("state", ".memberpulse"));
    }

    private static String require(Map<String, String> options, String name) {
        String value = options.get(name);
        if (value == null) {
            System.err.println("missing " + (name.equals("file") ? "FILE" : "--" + name));
            System.exit(2);
        }
        return value;
    }

    private static int usageExit() {
        usage();
        return 2;
    }

    private static void usage() {
        System.err.println("usage: DevStackMain up|import|export|summary|churn-score|churn-train|token|erase|erasure|reset|dlq [options] (see the memberpulse launcher)");
        System.exit(2);
    }
}
