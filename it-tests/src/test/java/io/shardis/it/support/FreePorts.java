package io.shardis.it.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Free TCP ports on the loopback interface.
 *
 * <p>A port is found by binding port 0 and closing the socket again, so another process could
 * still take it before the caller binds it; fixtures retry on a clash. Within this JVM a port is
 * never handed out twice, so two fixtures started together never race for the same one.
 */
public final class FreePorts {

    private static final int MAX_ATTEMPTS = 100;
    private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

    private FreePorts() {}

    /** A loopback port that was free a moment ago and that this JVM has not handed out before. */
    public static int next() {
        return nextWithCompanion(0);
    }

    /**
     * A free port {@code p} such that {@code p + offset} was free too, e.g. a Redis Cluster node
     * whose bus listens on {@code port + 10000}. Both are reserved in this JVM.
     */
    public static int nextWithCompanion(int offset) {
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            int port = bindAndRelease(0);
            if (offset != 0 && (port + offset > 65_535 || !isFree(port + offset))) {
                continue;
            }
            if (!HANDED_OUT.add(port)) {
                continue;
            }
            if (offset == 0 || HANDED_OUT.add(port + offset)) {
                return port;
            }
            HANDED_OUT.remove(port);
        }
        throw new IllegalStateException("no free loopback port after " + MAX_ATTEMPTS + " attempts");
    }

    /** Whether nothing listens on {@code port} of 127.0.0.1 right now. */
    public static boolean isFree(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static int bindAndRelease(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            // Without SO_REUSEADDR the port would sit in TIME_WAIT after close and the fixture could not bind it.
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot bind a loopback port", e);
        }
    }
}
