package io.memberpulse.devstack.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChurnScoreCommandTest {
    static final String CSV = "member_id,member_no,churn_probability\r\nm1,no-1,0.250000\r\nm2,,0.750000\r\n";

    @TempDir
    Path dir;

    HttpServer churn;

    @BeforeEach
    void start() throws Exception {
        churn = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        churn.createContext("/models/batch-score", exchange -> {
            boolean known = exchange.getRequestMethod().equals("POST")
                    && exchange.getRequestURI().getQuery().equals("asOf=2011-09-10&horizon=90");
            byte[] body = (known ? CSV : "{\"status\":409,\"detail\":\"too little data to validate\"}")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", known ? "text/csv" : "application/problem+json");
            exchange.sendResponseHeaders(known ? 200 : 409, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        churn.start();
        Files.writeString(dir.resolve("stack.env"), "IDENTITY_URL=http://127.0.0.1:1\nCHURN_URL=http://127.0.0.1:"
                + churn.getAddress().getPort() + "\n");
    }

    @AfterEach
    void stop() {
        churn.stop(0);
    }

    @Test
    void writesTheScoresToTheFile() throws Exception {
        Path out = dir.resolve("scores.csv");
        assertThat(ChurnScoreCommand.run(dir, "2011-09-10", "90", out)).isZero();
        assertThat(Files.readString(out)).isEqualTo(CSV);
        assertThat(dir.resolve("scores.csv.partial")).doesNotExist();
    }

    @Test
    void aRefusalExitsNonZeroAndWritesNothing() throws Exception {
        Path out = dir.resolve("scores.csv");
        assertThat(ChurnScoreCommand.run(dir, "2001-01-01", "90", out)).isEqualTo(1);
        assertThat(out).doesNotExist();
        assertThat(ChurnScoreCommand.reason("{\"detail\":\"too little data\"}")).isEqualTo("too little data");
        assertThat(ChurnScoreCommand.reason("Bad Gateway")).isEqualTo("Bad Gateway");
    }

    @Test
    void withoutAStackItSaysSo() throws Exception {
        assertThat(ChurnScoreCommand.run(dir.resolve("nowhere"), "2011-09-10", "90", dir.resolve("x.csv"))).isEqualTo(1);
    }
}
