package io.memberpulse.devstack.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExportCommandTest {
    @TempDir
    Path dir;

    @Test
    void anOutputFileThatCannotBeWrittenIsRefusedBeforeIdentityServiceIsAsked() throws Exception {
        AtomicInteger requests = new AtomicInteger();
        HttpServer identity = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        identity.createContext("/", exchange -> {
            requests.incrementAndGet();
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        identity.start();
        PrintStream console = System.err;
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        try {
            System.setErr(new PrintStream(printed, true, StandardCharsets.UTF_8));
            assertThat(ExportCommand.run("identities", dir.resolve("no-such-folder/identities.csv"),
                    "http://127.0.0.1:" + identity.getAddress().getPort(), "Bearer x")).isEqualTo(1);
        } finally {
            System.setErr(console);
            identity.stop(0);
        }
        assertThat(printed.toString(StandardCharsets.UTF_8))
                .contains("export: cannot write", "there is no folder", "no-such-folder");
        assertThat(requests).hasValue(0);
    }
}
