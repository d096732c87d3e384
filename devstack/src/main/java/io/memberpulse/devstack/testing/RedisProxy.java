package io.memberpulse.devstack.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP proxy in front of a Redis server, for tests of what a service does when Redis goes away and comes back with
 * its data: {@link #forward()} (as Redis), {@link #refuse()} (every connection closed as it opens, as a Redis that is
 * down) and {@link #hang()} (connections accepted, nothing ever answered, as a Redis that hangs). Each switch closes the
 * connections open, so a client's pool reconnects (after hang(), only to hang again). Counts the bytes clients sent.
 */
public final class RedisProxy implements AutoCloseable {
    private enum Mode { FORWARD, REFUSE, HANG }

    private final String upstreamHost;
    private final int upstreamPort;
    private final ServerSocket server;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final AtomicLong received = new AtomicLong();
    private volatile Mode mode = Mode.FORWARD;

    public RedisProxy(String upstreamHost, int upstreamPort) {
        this.upstreamHost = upstreamHost;
        this.upstreamPort = upstreamPort;
        try {
            server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Thread acceptor = new Thread(this::accept, "redis-proxy-" + port());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public int port() {
        return server.getLocalPort();
    }

    /** redis://127.0.0.1:port */
    public String url() {
        return "redis://127.0.0.1:" + port();
    }

    public void forward() {
        switchTo(Mode.FORWARD);
    }

    public void refuse() {
        switchTo(Mode.REFUSE);
    }

    public void hang() {
        switchTo(Mode.HANG);
    }

    /** The bytes clients sent so far (whatever the mode): what a client did not send, Redis was not asked. */
    public long bytesReceived() {
        return received.get();
    }

    private void switchTo(Mode next) {
        mode = next;
        open.forEach(RedisProxy::closeQuietly);
        open.clear();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                switch (mode) {
                    case REFUSE -> closeQuietly(client);
                    case HANG -> {
                        open.add(client);
                        pump(client.getInputStream(), OutputStream.nullOutputStream(), client, null, true);
                    }
                    case FORWARD -> {
                        Socket upstream = new Socket(upstreamHost, upstreamPort);
                        open.add(client);
                        open.add(upstream);
                        pump(client.getInputStream(), upstream.getOutputStream(), client, upstream, true);
                        pump(upstream.getInputStream(), client.getOutputStream(), upstream, client, false);
                    }
                }
            } catch (IOException e) {
                // closed, or the upstream refused: the client's connection ends and it tries again
            }
        }
    }

    /** Copies from one side to the other on a thread of its own; closes both when either ends. */
    private void pump(InputStream from, OutputStream to, Socket source, Socket other, boolean fromClient) {
        Thread thread = new Thread(() -> {
            byte[] buffer = new byte[8192];
            try {
                for (int n; (n = from.read(buffer)) >= 0; ) {
                    if (fromClient) {
                        received.addAndGet(n);
                    }
                    to.write(buffer, 0, n);
                    to.flush();
                }
            } catch (IOException e) {
                // a side closed
            } finally {
                closeQuietly(source);
                if (other != null) {
                    closeQuietly(other);
                }
            }
        }, "redis-proxy-pump");
        thread.setDaemon(true);
        thread.start();
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // already closed
        }
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException e) {
            // already closed
        }
        switchTo(Mode.REFUSE);
    }
}
