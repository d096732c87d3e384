package io.memberpulse.devstack.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code erase MEMBER_ID --reference TEXT} and {@code erasure ERASURE_ID} (each with {@code --state DIR}): a member
 * erased at the person's request (PIPL Art. 47, GDPR Art. 17) by identity-service, and an erasure read back. Both
 * sign a steward's token with the stack's key (the only role identity-service lets erase) and print the erasure
 * as recorded: its id, the member, the members merged into it, the reference, who asked and when. identity-service
 * decides everything else (an unknown member, a reference it refuses): its reason is printed and the exit code is 1;
 * arguments it never saw are the usage and 2. Public, with its streams as parameters: the end-to-end test erases
 * through it on the real stack.
 */
public final class ErasureCommand {
    public static final String USAGE = "usage: ./memberpulse erase MEMBER_ID --reference TEXT | erasure ERASURE_ID";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    /** An erasure rewrites the member's events (and may rebuild the identity graph): longer than a look-up. */
    private static final Duration ERASE_AT_MOST = Duration.ofMinutes(5);
    private static final DateTimeFormatter SECOND = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'");

    private ErasureCommand() {
    }

    /** What the command line asks: erase (with the reference) or show an erasure; the id either names. */
    record Arguments(boolean erase, String id, String reference, Path state) {
        /** @throws IllegalArgumentException why the arguments are not a command, to print above the usage */
        static Arguments parse(String[] args) {
            if (args.length == 0 || !(args[0].equals("erase") || args[0].equals("erasure"))) {
                throw new IllegalArgumentException(args.length == 0 ? "erase or erasure?" : "unknown command " + args[0]);
            }
            boolean erase = args[0].equals("erase");
            String id = null;
            String reference = null;
            Path state = Path.of(".memberpulse");
            for (int i = 1; i < args.length; i++) {
                String arg = args[i];
                if (arg.equals("--state") || arg.equals("--reference") && erase) {
                    // a value that is the next option: the value was left out (a reference never starts with --)
                    if (i + 1 == args.length || args[i + 1].startsWith("--")) {
                        throw new IllegalArgumentException(arg + " needs a value");
                    }
                    if (arg.equals("--state")) {
                        state = Path.of(args[++i]);
                    } else {
                        reference = args[++i];
                    }
                } else if (arg.startsWith("--")) {
                    throw new IllegalArgumentException("unknown option " + arg);
                } else if (id == null) {
                    id = arg;
                } else {
                    throw new IllegalArgumentException("one " + (erase ? "member" : "erasure") + " at a time");
                }
            }
            if (id == null || id.isBlank()) { // "$ID" of an unset variable: no id, not /erasures/
                throw new IllegalArgumentException(erase ? "missing MEMBER_ID" : "missing ERASURE_ID");
            }
            if (erase && reference == null) {
                throw new IllegalArgumentException("missing --reference TEXT: the erasure request's ticket number");
            }
            return new Arguments(erase, id, reference, state);
        }
    }

    /** @param args the command ({@code erase} or {@code erasure}) and what follows it */
    public static int run(String[] args, PrintStream out, PrintStream err) throws IOException, InterruptedException {
        Arguments arguments;
        try {
            arguments = Arguments.parse(args);
        } catch (IllegalArgumentException e) {
            err.println(e.getMessage());
            err.println(USAGE);
            return 2;
        }
        Path env = arguments.state().resolve("stack.env");
        String identity = SummaryCommand.readEnv(env).get("IDENTITY_URL");
        if (identity == null) {
            err.println("the stack is not up (no IDENTITY_URL in " + env + ")");
            return 1;
        }
        HttpRequest.Builder request;
        if (arguments.erase()) {
            request = HttpRequest.newBuilder(URI.create(identity + "/members/" + segment(arguments.id()) + "/erasure"))
                    .timeout(ERASE_AT_MOST).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(
                            JSON.writeValueAsString(Map.of("reference", arguments.reference()))));
        } else {
            request = HttpRequest.newBuilder(URI.create(identity + "/erasures/" + segment(arguments.id())))
                    .timeout(Duration.ofSeconds(30)).GET();
        }
        request.header("Accept", "application/json")
                .header("Authorization", "Bearer " + LauncherTokens.of(arguments.state()).steward());
        HttpResponse<String> response;
        try {
            response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException e) {
            err.println("identity-service does not answer at " + identity + " (is the stack up?)");
            return 1;
        } catch (HttpTimeoutException e) {
            // the erasure goes on without us; asking again answers its record once it is done, and erases nothing twice
            err.println("identity-service has not answered within " + ERASE_AT_MOST.toMinutes() + " minutes; the "
                    + "erasure may still complete: the same ./memberpulse erase again shows its record");
            return 1;
        }
        if (response.statusCode() / 100 != 2) {
            err.println("identity-service answered " + response.statusCode() + ": " + reason(response, arguments));
            return 1;
        }
        JsonNode erasure = JSON.readTree(response.body());
        out.print(describe(erasure));
        if (arguments.erase()) {
            String person = erasure.path("memberId").asText();
            if (!person.equals(arguments.id())) {
                out.println("  (" + arguments.id() + " had been merged into " + person + ": the person is erased)");
            }
            if (!erasure.path("reference").asText().equals(arguments.reference())) {
                out.println("  (erased before, under the reference above: this is that first erasure; nothing changed)");
            }
            out.println("rfm-, churn- and campaign-service forget these members as they read MemberErased on member.merges");
        }
        return 0;
    }

    /** The erasure as identity-service records it, one field a line, its time to the second in UTC. */
    static String describe(JsonNode erasure) {
        List<String> absorbed = new ArrayList<>();
        erasure.path("absorbedMemberIds").forEach(id -> absorbed.add(id.asText()));
        return "erasure " + erasure.path("erasureId").asText() + "\n"
                + "  member            " + erasure.path("memberId").asText() + "\n"
                + "  absorbed members  " + (absorbed.isEmpty() ? "none" : String.join(", ", absorbed)) + "\n"
                + "  reference         " + erasure.path("reference").asText() + "\n"
                + "  requested by      " + erasure.path("requestedBy").asText() + "\n"
                + "  erased at         " + toSecond(erasure.path("erasedAt").asText()) + "\n";
    }

    private static String toSecond(String instant) {
        try {
            return SECOND.format(Instant.parse(instant).atOffset(ZoneOffset.UTC));
        } catch (DateTimeParseException e) {
            return instant;
        }
    }

    /** identity-service's problem detail; what an empty answer means where it gives none (401, 403, an unknown erasure). */
    private static String reason(HttpResponse<String> response, Arguments arguments) {
        if (!response.body().isBlank()) {
            return ChurnJobClient.reason(response.body());
        }
        return switch (response.statusCode()) {
            case 401 -> "it does not accept the token signed with " + arguments.state().resolve("auth")
                    + " (is this the running stack's state folder?)";
            case 403 -> "the token is not a steward's";
            case 404 -> arguments.erase() ? "no member " + arguments.id() : "no erasure " + arguments.id();
            default -> "(no reason given)";
        };
    }

    /** An id as one path segment: whatever was typed stays one segment and reaches identity-service to judge. */
    private static String segment(String id) {
        return URLEncoder.encode(id, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
