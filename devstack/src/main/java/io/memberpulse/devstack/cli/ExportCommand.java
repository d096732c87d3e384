package io.memberpulse.devstack.cli;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Optional;

/**
 * {@code export identities|duplicate-orders FILE}: streams one of identity-service's CSV exports to a
 * file, counting rows on stderr as they arrive. The file appears only when the export is complete.
 */
final class ExportCommand {
    private static final long PROGRESS_EVERY_NANOS = 1_000_000_000L;

    private ExportCommand() {
    }

    /** @param auth the Authorization header value */
    static int run(String what, Path file, String identityUrl, String auth) throws IOException, InterruptedException {
        String path = switch (what) {
            case "identities" -> "/identities/export";
            case "duplicate-orders" -> "/orders/duplicates/export";
            default -> null;
        };
        if (path == null) {
            System.err.println("unknown export '" + what + "' (identities, duplicate-orders)");
            return 2;
        }
        Optional<String> unwritable = OutputFile.whyNotWritable(file);
        if (unwritable.isPresent()) {
            System.err.println("export: " + unwritable.get());
            return 1;
        }
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create(identityUrl + path)).header("Authorization", auth).GET()
                .build();
        HttpResponse<InputStream> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (java.net.ConnectException e) {
            System.err.println("identity-service does not answer at " + identityUrl + " (is the stack up?)");
            return 1;
        }
        if (response.statusCode() != 200) {
            try (InputStream body = response.body()) {
                System.err.println("identity-service answered " + response.statusCode() + ": "
                        + new String(body.readAllBytes(), StandardCharsets.UTF_8));
            }
            return 1;
        }
        Path absolute = file.toAbsolutePath();
        Path partial = absolute.resolveSibling(absolute.getFileName() + ".part");
        long started = System.nanoTime();
        long lines = 0;
        try (InputStream body = response.body();
                OutputStream out = new BufferedOutputStream(Files.newOutputStream(partial), 1 << 16)) {
            boolean terminal = System.console() != null;
            long shown = started;
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = body.read(buffer)) > 0; ) {
                out.write(buffer, 0, n);
                for (int i = 0; i < n; i++) {
                    if (buffer[i] == '\n') {
                        lines++;
                    }
                }
                long now = System.nanoTime();
                if (now - shown >= PROGRESS_EVERY_NANOS) {
                    shown = now;
                    String line = String.format("  %s: %,d rows, %,.0f rows/s", what, Math.max(0, lines - 1),
                            lines / ((now - started) / 1e9));
                    System.err.print(terminal ? "\r" + line : line + "\n");
                }
            }
            if (terminal) {
                System.err.print("\r");
            }
        } catch (IOException e) {
            Files.deleteIfExists(partial);
            System.err.println("export stopped: " + e.getMessage());
            return 1;
        }
        Files.move(partial, absolute, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        double seconds = (System.nanoTime() - started) / 1e9;
        System.out.printf("exported %s to %s: %,d rows in %.1f s%n", what, file, Math.max(0, lines - 1), seconds);
        return 0;
    }
}
