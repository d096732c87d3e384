package io.memberpulse.devstack.infra;

import static org.assertj.core.api.Assertions.assertThat;

import io.memberpulse.devstack.stack.LocalStack;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The stack's services are each told their own ports: two told one port, the second never starts. */
class FreePortsTest {

    @Test
    void portsChosenTogetherAreDistinctAndFree() throws Exception {
        int[] ports = FreePorts.distinct(64);
        assertThat(Arrays.stream(ports).distinct().count()).isEqualTo(64);
        for (int port : ports) {
            try (ServerSocket bound = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
                assertThat(bound.getLocalPort()).isEqualTo(port);
            }
        }
    }

    @Test
    void theStacksServicesGetEightDistinctPorts() {
        var ports = LocalStack.freePorts().values().stream()
                .flatMap(p -> Stream.of(p.http(), p.grpc())).distinct().count();
        assertThat(ports).isEqualTo(2L * LocalStack.freePorts().size());
    }
}
