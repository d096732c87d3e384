package io.memberpulse.devstack.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServiceProcessTest {

    @Test
    void aServiceWhosePortAnotherProcessHoldsIsNotStartedAndSaysWhichPort(@TempDir Path root) throws Exception {
        // the jar is there; someone else (here this test) listens on the service's HTTP port and would answer its probe
        Path jar = ServiceProcess.jarOf(root, ServiceSpec.RFM);
        Files.createDirectories(jar.getParent());
        Files.write(jar, new byte[0]);
        try (ServerSocket other = new ServerSocket()) {
            other.bind(new InetSocketAddress(0));
            int taken = other.getLocalPort();
            assertThatThrownBy(() -> ServiceProcess.start(root, ServiceSpec.RFM, Map.of(), root.resolve("logs"), taken,
                    freePort(), "64m"))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("rfm-service's HTTP port " + taken + " is taken by another process (a stack already up, "
                            + "or a service in dev mode?): stop it, then start again");
        }
    }

    @Test
    void servicesListenOnTheLoopbackUnlessTheLauncherIsToldOtherwise() {
        assertThat(ServiceProcess.listening(8081, 9081, null)).containsEntry("QUARKUS_HTTP_HOST", "127.0.0.1")
                .containsEntry("QUARKUS_GRPC_SERVER_HOST", "127.0.0.1").containsEntry("HTTP_PORT", "8081")
                .containsEntry("GRPC_PORT", "9081");
        assertThat(ServiceProcess.listening(8081, 9081, " ")).containsEntry("QUARKUS_HTTP_HOST", "127.0.0.1");
        assertThat(ServiceProcess.listening(8081, 9081, "0.0.0.0")).containsEntry("QUARKUS_HTTP_HOST", "0.0.0.0")
                .containsEntry("QUARKUS_GRPC_SERVER_HOST", "0.0.0.0");
    }

    private static int freePort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
