package io.shardis.proxy.http;

import io.netty.channel.unix.DomainSocketAddress;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Asks backends whether they answer, for {@code /ready}: a new connection, {@code PING}, and the
 * first reply line, within {@link #TIMEOUT_MILLIS}. Any reply but {@code -LOADING} counts as an
 * answer ({@code -NOAUTH} too: the server is there). Each address is probed on a thread of its
 * own, all at once, so a {@code /ready} answers within about {@link #TIMEOUT_MILLIS} however many
 * backends are down; nothing is probed while nobody asks.
 */
final class BackendProbe implements AutoCloseable {

    /** Connect and reply timeout of one probe: keeps {@code /ready} within a second. */
    static final int TIMEOUT_MILLIS = 400;

    private final ExecutorService threads = new ThreadPoolExecutor(
            0,
            256,
            30,
            TimeUnit.SECONDS,
            new SynchronousQueue<>(),
            new DefaultThreadFactory("shardis-probe", true),
            new ThreadPoolExecutor.CallerRunsPolicy());

    /** Probes every address at once; maps each to null (it answered) or why not. */
    Map<SocketAddress, String> probe(Collection<SocketAddress> addresses) {
        Map<SocketAddress, Future<String>> running = new LinkedHashMap<>();
        for (SocketAddress address : addresses) {
            running.putIfAbsent(address, threads.submit(() -> probe(address)));
        }
        Map<SocketAddress, String> results = new LinkedHashMap<>();
        for (Map.Entry<SocketAddress, Future<String>> entry : running.entrySet()) {
            String result;
            try {
                result = entry.getValue().get(TIMEOUT_MILLIS * 3L, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                result = "interrupted";
            } catch (Exception e) {
                result = "no answer: " + e;
            }
            results.put(entry.getKey(), result);
        }
        return results;
    }

    /** Null when {@code address} answered PING, else why it did not. */
    static String probe(SocketAddress address) {
        try {
            String line = address instanceof InetSocketAddress inet ? probeTcp(inet) : probeUnix(address);
            if (line == null) {
                return "closed the connection without answering PING";
            }
            if (line.startsWith("-LOADING")) {
                return "is loading its data";
            }
            return null;
        } catch (SocketTimeoutException e) {
            return "did not answer within " + TIMEOUT_MILLIS + " ms";
        } catch (IOException e) {
            return "unreachable (" + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()) + ")";
        }
    }

    private static String probeTcp(InetSocketAddress address) throws IOException {
        try (Socket socket = new Socket()) {
            InetSocketAddress resolved = address.isUnresolved()
                    ? new InetSocketAddress(address.getHostString(), address.getPort())
                    : address;
            socket.connect(resolved, TIMEOUT_MILLIS);
            socket.setSoTimeout(TIMEOUT_MILLIS);
            socket.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            return firstLine(socket.getInputStream());
        }
    }

    private static String probeUnix(SocketAddress address) throws IOException {
        // Netty's DomainSocketAddress (epoll) or the JDK's: either way, a path.
        String path = address instanceof UnixDomainSocketAddress unix
                ? unix.getPath().toString()
                : address instanceof DomainSocketAddress netty ? netty.path() : address.toString();
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(path));
            channel.write(ByteBuffer.wrap("PING\r\n".getBytes(StandardCharsets.US_ASCII)));
            ByteBuffer reply = ByteBuffer.allocate(64);
            int read = channel.read(reply);
            return read <= 0 ? null : new String(reply.array(), 0, read, StandardCharsets.US_ASCII);
        }
    }

    private static String firstLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0 && c != '\n' && line.length() < 64) {
            line.append((char) c);
        }
        return c < 0 && line.length() == 0 ? null : line.toString();
    }

    @Override
    public void close() {
        threads.shutdownNow();
    }
}
