package io.memberpulse.devstack.infra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;

/** Ports on the loopback interface. */
public final class FreePorts {
    private FreePorts() {
    }

    /** A port nobody listens on right now, chosen by the kernel. */
    public static int next() {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port on the loopback interface", e);
        }
    }

    /**
     * {@code count} distinct ports nobody listens on right now. Each is held open until all are chosen: a port asked for
     * one at a time is released before the next is asked for, and the kernel may hand the same one out twice (two
     * services then told one port, the second of them failing to start while the first answers in its place).
     */
    public static int[] distinct(int count) {
        ServerSocket[] held = new ServerSocket[count];
        try {
            int[] ports = new int[count];
            for (int i = 0; i < count; i++) {
                held[i] = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress());
                held[i].setReuseAddress(true);
                ports[i] = held[i].getLocalPort();
            }
            return ports;
        } catch (IOException e) {
            throw new UncheckedIOException("no free port on the loopback interface", e);
        } finally {
            for (ServerSocket socket : held) {
                if (socket != null) {
                    try {
                        socket.close();
                    } catch (IOException ignored) {
                        // a port we could not close is one nobody else can take either
                    }
                }
            }
        }
    }

    /** Whether something accepts TCP connections at host:port within the timeout. */
    public static boolean answers(String host, int port, int timeoutMillis) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), timeoutMillis);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
