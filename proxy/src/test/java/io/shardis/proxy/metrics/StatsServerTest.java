package io.shardis.proxy.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The stats port on real loopback sockets. */
class StatsServerTest {

    private static final int READ_TIMEOUT_MILLIS = 10_000;

    private final AtomicInteger served = new AtomicInteger();
    private StatsServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void eachConnectionGetsTheDocumentOfThatMomentThenEndOfFile() throws IOException {
        server = StatsServer.start(loopbackAnyPort(), () -> "{\"n\":" + served.incrementAndGet() + "}\n");

        assertThat(fetch(server.address(), null)).isEqualTo("{\"n\":1}\n");
        assertThat(fetch(server.address(), null)).isEqualTo("{\"n\":2}\n");
    }

    @Test
    void whatAClientSendsDoesNotCostItTheDocument() throws IOException {
        // curl host:22222 sends an HTTP request and still expects the document. Bytes arriving at a
        // socket already closed make the kernel reset the connection and drop what it has not
        // sent yet: a document larger than the socket buffers would arrive cut short.
        String big = "x".repeat(1 << 20);
        server = StatsServer.start(loopbackAnyPort(), () -> big);

        // A small receive window keeps most of the document in the server's send buffer.
        String received = fetch(server.address(), "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n", 300, 4096);
        assertThat(received.length()).isEqualTo(big.length());
    }

    @Test
    void clientsThatVanishDoNotStopTheServer() throws IOException {
        server = StatsServer.start(loopbackAnyPort(), () -> "{}\n");
        for (int i = 0; i < 20; i++) {
            try (Socket socket = new Socket()) {
                socket.connect(server.address(), READ_TIMEOUT_MILLIS);
                // A reset rather than a FIN: close with SO_LINGER 0, without reading.
                socket.setSoLinger(true, 0);
            }
        }
        assertThat(fetch(server.address(), null)).isEqualTo("{}\n");
    }

    @Test
    void aPortInUseIsAClearStartupError() {
        server = StatsServer.start(loopbackAnyPort(), () -> "{}\n");
        InetSocketAddress taken = server.address();

        assertThatThrownBy(() -> StatsServer.start(taken, () -> "{}\n"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("cannot listen for stats on")
                .hasMessageContaining(Integer.toString(taken.getPort()))
                .hasMessageContaining("in use");
    }

    @Test
    void anUnknownHostIsAClearStartupError() {
        InetSocketAddress nowhere = InetSocketAddress.createUnresolved("no-such-host.invalid", 22222);
        assertThatThrownBy(() -> StatsServer.start(nowhere, () -> "{}\n"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("no-such-host.invalid")
                .hasMessageContaining("unknown host");
    }

    @Test
    void closingStopsListening() {
        server = StatsServer.start(loopbackAnyPort(), () -> "{}\n");
        InetSocketAddress address = server.address();
        server.close();
        server = null;

        assertThatThrownBy(() -> fetch(address, null)).isInstanceOf(ConnectException.class);
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static InetSocketAddress loopbackAnyPort() {
        return new InetSocketAddress("127.0.0.1", 0);
    }

    private static String fetch(InetSocketAddress address, String request) throws IOException {
        return fetch(address, request, 0, 0);
    }

    /**
     * Connects (with a receive buffer of {@code receiveBuffer} bytes unless 0), waits
     * {@code pauseMillis}, optionally sends {@code request}, and reads until the server ends the stream.
     */
    private static String fetch(InetSocketAddress address, String request, long pauseMillis, int receiveBuffer)
            throws IOException {
        try (Socket socket = new Socket()) {
            if (receiveBuffer > 0) {
                socket.setReceiveBufferSize(receiveBuffer);
            }
            socket.connect(address, READ_TIMEOUT_MILLIS);
            socket.setSoTimeout(READ_TIMEOUT_MILLIS);
            pause(pauseMillis);
            if (request != null) {
                socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
                socket.getOutputStream().flush();
            }
            ByteArrayOutputStream received = new ByteArrayOutputStream();
            InputStream in = socket.getInputStream();
            byte[] chunk = new byte[8192];
            int n;
            while ((n = in.read(chunk)) >= 0) {
                received.write(chunk, 0, n);
            }
            return received.toString(StandardCharsets.UTF_8);
        }
    }
}
