package io.shardis.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.shardis.it.support.Elapsed;
import io.shardis.it.support.Margins;
import io.shardis.it.support.ProcessResources;
import io.shardis.it.support.RedisProcess;
import io.shardis.it.support.RespConnection;
import io.shardis.it.support.ShardisProcess;
import io.shardis.it.support.StopChildProcesses;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import redis.clients.jedis.Jedis;

/**
 * Clients as the internet sends them, against the real process ({@code bin/shardis -w 2}) in front
 * of one {@code redis-server}: ten thousand connections at once, slowloris clients, clients that
 * leave in the middle of a pipeline, a transaction, a subscription or a blocking command, QUIT
 * storms, and many clients at the request and pipeline limits together. Each test asserts that
 * clients that behave are served as usual, that Shardis holds no backend connection for a client
 * that left (counted with {@code CLIENT LIST} on the server itself), and that its file descriptors
 * come back down.
 */
@ExtendWith(StopChildProcesses.class)
class HostileClientsIT {

    private static final int WORKERS = 2;
    /** Shared backend connections Shardis may hold: {@code server_connections} (1) per event loop. */
    private static final int SHARED_BACKEND_CONNECTIONS = WORKERS;

    private static final int MAX_REQUEST_BYTES = 64 * 1024;
    private static final int MAX_PIPELINE = 64;
    private static final Duration SETTLE = Duration.ofMillis(Margins.millis(15_000));
    private static final String CONFIG = """
            alpha:
              listen: 127.0.0.1:${port.alpha}
              redis: true
              timeout: 5000
              backlog: 4096
              max_request_bytes: 64k
              max_pipeline: 64
              servers:
                - ${backend}:1
            """;

    private static RedisProcess redis;
    private static ShardisProcess shardis;
    private static InetSocketAddress address;

    @BeforeAll
    static void start() {
        redis = RedisProcess.start();
        shardis = ShardisProcess.startWithJavaOpts(
                "-Xmx512m -XX:MaxDirectMemorySize=512m",
                CONFIG,
                Map.of("backend", redis.address()),
                "-w",
                Integer.toString(WORKERS));
        address = new InetSocketAddress("127.0.0.1", shardis.port("alpha"));
    }

    @AfterAll
    static void stop() {
        if (shardis != null) {
            shardis.close();
        }
        if (redis != null) {
            redis.close();
        }
    }

    @BeforeEach
    void flush() {
        redis.flushAll();
        warmUpEveryEventLoop();
    }

    /**
     * As many connections as this machine's open-files limit allows up to 10,000 (the test JVM and
     * Shardis each hold one descriptor per client; 2,000 are kept for everything else), nine in ten
     * idle and one in ten sending SET and GET: every active one is answered, a separate client's
     * GETs keep their latency, Shardis opens no backend connection for them, and its descriptors
     * return to where they were once the clients leave.
     */
    @Test
    @Timeout(240)
    void tenThousandConnectionsIdleAndActive() throws Exception {
        int clients = (int) Math.min(10_000, ProcessResources.openFilesLimit() - 2_000);
        assertThat(clients)
                .as("connections the open-files limit allows (ulimit -n)")
                .isGreaterThanOrEqualTo(1_000);
        ProcessResources.Snapshot before = ProcessResources.of(shardis.pid());
        List<Socket> sockets = new ArrayList<>(clients);
        try (Jedis observer = new Jedis(address.getHostString(), address.getPort(), 10_000)) {
            long connectStarted = System.nanoTime();
            for (int i = 0; i < clients; i++) {
                sockets.add(connect());
            }
            long connectMillis = Elapsed.millisSince(connectStarted);
            await().atMost(SETTLE)
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> ProcessResources.fileDescriptors(shardis.pid()) >= before.fileDescriptors() + clients);
            ProcessResources.Snapshot idle = ProcessResources.of(shardis.pid());
            long idleMedianMicros = medianGetMicros(observer, 200);

            List<Socket> active = new ArrayList<>();
            for (int i = 0; i < sockets.size(); i += 10) {
                active.add(sockets.get(i));
            }
            long activeStarted = System.nanoTime();
            for (int round = 0; round < 3; round++) {
                for (int i = 0; i < active.size(); i++) {
                    write(active.get(i), RespConnection.pipeline("SET c:" + i + " r" + round, "GET c:" + i));
                }
                for (int i = 0; i < active.size(); i++) {
                    String value = "r" + round;
                    String expected = "+OK\r\n$" + value.length() + "\r\n" + value + "\r\n";
                    assertThat(readExactly(active.get(i), expected.length()))
                            .as("client %d, round %d", i, round)
                            .isEqualTo(expected);
                }
            }
            long activeMillis = Elapsed.millisSince(activeStarted);
            long busyMedianMicros = medianGetMicros(observer, 200);
            ProcessResources.Snapshot held = ProcessResources.of(shardis.pid());
            assertThat(backendConnections())
                    .as("backend connections with %d clients connected", clients)
                    .isLessThanOrEqualTo(SHARED_BACKEND_CONNECTIONS);
            for (Socket socket : active) {
                write(socket, RespConnection.command("PING"));
                assertThat(readExactly(socket, 7)).isEqualTo("+PONG\r\n");
            }
            System.out.printf(
                    "%d connections (%d active) opened in %d ms; 3 rounds of SET+GET on the active"
                            + " ones in %d ms; Shardis before: %s; idle: %s; after the active rounds: %s;"
                            + " observer GET median %d us idle, %d us after%n",
                    clients,
                    active.size(),
                    connectMillis,
                    activeMillis,
                    before,
                    idle,
                    held,
                    idleMedianMicros,
                    busyMedianMicros);
            assertThat(held.residentBytes() - before.residentBytes())
                    .as("RSS added by %d connections", clients)
                    .isLessThan(512L << 20);
        } finally {
            closeAll(sockets);
        }
        await().atMost(SETTLE)
                .pollInterval(Duration.ofMillis(100))
                .until(() -> ProcessResources.fileDescriptors(shardis.pid()) <= before.fileDescriptors() + 10);
        System.out.printf("after the %d clients left: %s%n", clients, ProcessResources.of(shardis.pid()));
    }

    /**
     * Slowloris: 100 clients send a command one byte a second, 100 more a header one byte a second
     * that declares an argument past {@code max_request_bytes}. Shardis has no client idle timeout
     * (as Redis' {@code timeout 0} and Twemproxy): a slow client holds its connection and the bytes it
     * sent, nothing else. No backend connection is opened for them, other clients are served as
     * usual, the first group's commands run once complete, and the second group is refused with the
     * documented error the moment the length is read, and disconnected.
     */
    @Test
    @Timeout(120)
    void slowlorisClientsHoldOnlyTheirConnection() throws Exception {
        int perGroup = 100;
        ProcessResources.Snapshot before = ProcessResources.of(shardis.pid());
        List<Socket> slowCommands = new ArrayList<>();
        List<Socket> slowHeaders = new ArrayList<>();
        try (Jedis observer = new Jedis(address.getHostString(), address.getPort(), 10_000)) {
            long quietMedianMicros = medianGetMicros(observer, 200);
            byte[][] commands = new byte[perGroup][];
            byte[] oversizedHeader = "*2\r\n$3\r\nGET\r\n$70000\r\n".getBytes(StandardCharsets.US_ASCII);
            int headerPrefix = "*2\r\n$3\r\nGET\r\n".length();
            for (int i = 0; i < perGroup; i++) {
                commands[i] = RespConnection.command("SET", "slow:" + i, "v" + i);
                slowCommands.add(connect());
                Socket header = connect();
                header.getOutputStream().write(oversizedHeader, 0, headerPrefix);
                slowHeaders.add(header);
            }
            int slowBytes = oversizedHeader.length - headerPrefix;
            List<Long> medians = new ArrayList<>();
            for (int second = 0; second < slowBytes; second++) {
                long tick = System.nanoTime();
                for (int i = 0; i < perGroup; i++) {
                    slowCommands.get(i).getOutputStream().write(commands[i], second, 1);
                    if (second < slowBytes - 1) {
                        slowHeaders.get(i).getOutputStream().write(oversizedHeader, headerPrefix + second, 1);
                    }
                }
                medians.add(medianGetMicros(observer, 20));
                assertThat(backendConnections())
                        .as("backend connections while %d clients trickle", 2 * perGroup)
                        .isLessThanOrEqualTo(SHARED_BACKEND_CONNECTIONS);
                long rest = 1_000 - Elapsed.millisSince(tick);
                if (rest > 0) {
                    Thread.sleep(rest);
                }
            }
            ProcessResources.Snapshot trickling = ProcessResources.of(shardis.pid());
            try (Jedis direct = redis.client()) {
                assertThat(direct.dbSize())
                        .as("nothing ran before the commands were complete")
                        .isZero();
            }
            String refusal =
                    "-ERR Protocol error: request larger than the proxy's limit of " + MAX_REQUEST_BYTES + " bytes\r\n";
            for (Socket header : slowHeaders) {
                header.getOutputStream().write(oversizedHeader, oversizedHeader.length - 1, 1);
            }
            for (Socket header : slowHeaders) {
                assertThat(readExactly(header, refusal.length())).isEqualTo(refusal);
                assertThat(header.getInputStream().read())
                        .as("closed after the refusal")
                        .isEqualTo(-1);
            }
            for (int i = 0; i < perGroup; i++) {
                slowCommands.get(i).getOutputStream().write(commands[i], slowBytes, commands[i].length - slowBytes);
            }
            for (Socket command : slowCommands) {
                assertThat(readExactly(command, 5)).isEqualTo("+OK\r\n");
            }
            try (Jedis direct = redis.client()) {
                assertThat(direct.dbSize()).isEqualTo(perGroup);
                assertThat(direct.get("slow:7")).isEqualTo("v7");
            }
            long worstMedian = medians.stream().mapToLong(Long::longValue).max().orElseThrow();
            System.out.printf(
                    "slowloris: %d clients trickling one byte a second for %d s; Shardis before: %s,"
                            + " while trickling: %s; observer GET median %d us before, worst second %d us%n",
                    2 * perGroup, slowBytes, before, trickling, quietMedianMicros, worstMedian);
            assertThat(worstMedian)
                    .as("observer's median GET (us) in the worst second")
                    .isLessThan(Margins.millis(50) * 1_000);
        } finally {
            closeAll(slowCommands);
            closeAll(slowHeaders);
        }
        await().atMost(SETTLE)
                .pollInterval(Duration.ofMillis(100))
                .until(() -> ProcessResources.fileDescriptors(shardis.pid()) <= before.fileDescriptors() + 10);
    }

    /**
     * 30 clients each leave in the middle of a pipeline, of a MULTI, of a SUBSCRIBE and of a BLPOP,
     * half with a FIN and half with a reset: every backend connection given to them is closed or
     * back in the shared set, the transactions are discarded, the channels have no subscriber
     * left, no BLPOP still waits on the server (an element pushed later stays in its list), and
     * Shardis serves as before.
     */
    @Test
    @Timeout(120)
    void clientsLeavingMidPipelineTransactionSubscriptionOrBlpopLeakNoBackendConnection() throws Exception {
        int perKind = 30;
        ProcessResources.Snapshot before = ProcessResources.of(shardis.pid());
        List<Socket> leaving = new ArrayList<>();
        long setUp = System.nanoTime();
        try {
            for (int i = 0; i < perKind; i++) {
                Socket pipeline = connect();
                ByteArrayOutputStream incrs = new ByteArrayOutputStream();
                for (int n = 0; n < 500; n++) {
                    RespConnection.appendCommand(incrs, "INCR", "counter:" + i);
                }
                write(pipeline, incrs.toByteArray());
                leaving.add(pipeline);

                Socket multi = connect();
                write(multi, RespConnection.pipeline("MULTI", "SET tx:" + i + " queued"));
                assertThat(readExactly(multi, "+OK\r\n+QUEUED\r\n".length())).isEqualTo("+OK\r\n+QUEUED\r\n");
                leaving.add(multi);

                Socket subscriber = connect();
                write(subscriber, RespConnection.command("SUBSCRIBE", "ch:" + i));
                String confirmation =
                        "*3\r\n$9\r\nsubscribe\r\n$" + ("ch:" + i).length() + "\r\nch:" + i + "\r\n:1\r\n";
                assertThat(readExactly(subscriber, confirmation.length())).isEqualTo(confirmation);
                leaving.add(subscriber);

                Socket blocked = connect();
                write(blocked, RespConnection.command("BLPOP", "q:" + i, "0"));
                leaving.add(blocked);
            }
            await().atMost(SETTLE).pollInterval(Duration.ofMillis(50)).until(() -> redis.blockedClients() == perKind);
            long peak = backendConnections();
            System.out.printf(
                    "mid-command departures: %d backend connections with %d clients in MULTI,"
                            + " SUBSCRIBE and BLPOP (%d pipelining), set up in %d ms%n",
                    peak, 3 * perKind, perKind, Elapsed.millisSince(setUp));
            assertThat(peak)
                    .as("BLPOP and SUBSCRIBE clients hold a backend connection each")
                    .isGreaterThanOrEqualTo(2L * perKind);
            for (int i = 0; i < leaving.size(); i++) {
                if (i % 2 == 0) {
                    leaving.get(i).setSoLinger(true, 0);
                }
            }
        } finally {
            closeAll(leaving);
        }
        long closed = System.nanoTime();
        await().atMost(SETTLE)
                .pollInterval(Duration.ofMillis(50))
                .until(() -> backendConnections() <= SHARED_BACKEND_CONNECTIONS && redis.blockedClients() == 0);
        long settledMillis = Elapsed.millisSince(closed);
        try (Jedis direct = redis.client();
                Jedis proxied = jedis()) {
            for (int i = 0; i < perKind; i++) {
                assertThat(direct.exists("tx:" + i))
                        .as("the transaction its client left is discarded")
                        .isFalse();
                assertThat(direct.pubsubNumSub("ch:" + i)).containsEntry("ch:" + i, 0L);
                String counter = direct.get("counter:" + i);
                assertThat(counter == null ? 0 : Long.parseLong(counter)).isBetween(0L, 500L);
                assertThat(proxied.lpush("q:" + i, "x")).isEqualTo(1);
            }
            assertThat(proxied.ping()).isEqualTo("PONG");
            for (int i = 0; i < perKind; i++) {
                assertThat(direct.llen("q:" + i))
                        .as("no BLPOP of a departed client took the element")
                        .isEqualTo(1);
            }
        }
        await().atMost(SETTLE)
                .pollInterval(Duration.ofMillis(100))
                .until(() -> ProcessResources.fileDescriptors(shardis.pid()) <= before.fileDescriptors() + 10);
        System.out.printf(
                "mid-command departures: backend connections back to <= %d %d ms after the clients"
                        + " left; Shardis: %s%n",
                SHARED_BACKEND_CONNECTIONS, settledMillis, ProcessResources.of(shardis.pid()));
    }

    /** 2,000 clients, 8 at a time, each send SET then QUIT in one packet: both answered, then closed. */
    @Test
    @Timeout(120)
    void quitStorm() throws Exception {
        int clients = 2_000;
        ProcessResources.Snapshot before = ProcessResources.of(shardis.pid());
        ExecutorService pool = Executors.newFixedThreadPool(8);
        long started = System.nanoTime();
        try {
            List<Future<Void>> done = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int thread = t;
                done.add(pool.submit(() -> {
                    for (int i = thread; i < clients; i += 8) {
                        try (Socket socket = connect()) {
                            write(socket, RespConnection.pipeline("SET quit:" + i + " " + i, "QUIT"));
                            assertThat(readExactly(socket, 10)).isEqualTo("+OK\r\n+OK\r\n");
                            assertThat(socket.getInputStream().read())
                                    .as("closed after QUIT")
                                    .isEqualTo(-1);
                        }
                    }
                    return null;
                }));
            }
            for (Future<Void> each : done) {
                each.get(100, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        long millis = Elapsed.millisSince(started);
        try (Jedis direct = redis.client()) {
            assertThat(direct.dbSize()).isEqualTo(clients);
        }
        await().atMost(SETTLE)
                .pollInterval(Duration.ofMillis(100))
                .until(() -> ProcessResources.fileDescriptors(shardis.pid()) <= before.fileDescriptors() + 10);
        assertThat(backendConnections()).isLessThanOrEqualTo(SHARED_BACKEND_CONNECTIONS);
        System.out.printf(
                "QUIT storm: %d clients in %d ms; Shardis before %s, after %s%n",
                clients, millis, before, ProcessResources.of(shardis.pid()));
    }

    /**
     * At the same time: 50 clients send a request past {@code max_request_bytes} (refused with the
     * documented text, then disconnected), and 50 clients write 2,000 pipelined GETs each without
     * reading first (held to {@code max_pipeline} outstanding, every reply right and in order), while
     * an observer's commands are served.
     */
    @Test
    @Timeout(180)
    void manyClientsAtTheRequestAndPipelineLimitsAtOnce() throws Exception {
        int oversized = 50;
        int pipeliners = 50;
        int depth = 2_000;
        try (Jedis setup = jedis()) {
            for (int k = 0; k < 100; k++) {
                setup.set("p:" + k, "value-" + k);
            }
        }
        byte[] huge = RespConnection.command("SET", "huge", "x".repeat(MAX_REQUEST_BYTES + 1));
        ByteArrayOutputStream gets = new ByteArrayOutputStream();
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        for (int n = 0; n < depth; n++) {
            RespConnection.appendCommand(gets, "GET", "p:" + n % 100);
            String value = "value-" + n % 100;
            expected.writeBytes(("$" + value.length() + "\r\n" + value + "\r\n").getBytes(StandardCharsets.US_ASCII));
        }
        byte[] getBytes = gets.toByteArray();
        byte[] expectedBytes = expected.toByteArray();
        String refusal =
                "-ERR Protocol error: request larger than the proxy's limit of " + MAX_REQUEST_BYTES + " bytes\r\n";
        ExecutorService pool = Executors.newFixedThreadPool(2 * pipeliners + oversized);
        long started = System.nanoTime();
        List<Long> observerMillis = new ArrayList<>();
        try (Jedis observer = jedis()) {
            List<Future<?>> done = new ArrayList<>();
            for (int c = 0; c < oversized; c++) {
                done.add(pool.submit((Callable<Void>) () -> {
                    try (Socket socket = connect()) {
                        try {
                            write(socket, huge);
                        } catch (UncheckedIOException closedWhileWriting) {
                            // Shardis closes after the refusal; the rest of the request may meet a reset.
                        }
                        assertThat(readExactly(socket, refusal.length())).isEqualTo(refusal);
                        assertThat(socket.getInputStream().read()).isEqualTo(-1);
                    }
                    return null;
                }));
            }
            for (int c = 0; c < pipeliners; c++) {
                Socket socket = connect();
                done.add(pool.submit(() -> write(socket, getBytes)));
                done.add(pool.submit((Callable<Void>) () -> {
                    try (socket) {
                        byte[] replies = socket.getInputStream().readNBytes(expectedBytes.length);
                        assertThat(Arrays.equals(replies, expectedBytes))
                                .as("%d GET replies in order", depth)
                                .isTrue();
                    }
                    return null;
                }));
            }
            while (done.stream().anyMatch(f -> !f.isDone())) {
                long at = System.nanoTime();
                observer.set("observer", "1");
                assertThat(observer.get("observer")).isEqualTo("1");
                observerMillis.add(Elapsed.millisSince(at));
                Thread.sleep(5);
            }
            for (Future<?> each : done) {
                each.get(10, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        long millis = Elapsed.millisSince(started);
        observerMillis.sort(null);
        long observerMedian = observerMillis.isEmpty() ? 0 : observerMillis.get(observerMillis.size() / 2);
        System.out.printf(
                "limits: %d oversized requests refused and %d x %d pipelined GETs answered in %d ms;"
                        + " observer SET+GET median %d ms over %d calls%n",
                oversized, pipeliners, depth, millis, observerMedian, observerMillis.size());
        try (Jedis direct = redis.client()) {
            assertThat(direct.exists("huge")).isFalse();
        }
        assertThat(observerMedian).as("observer's median ms").isLessThan(Margins.millis(250));
        assertThat(backendConnections()).isLessThanOrEqualTo(SHARED_BACKEND_CONNECTIONS);
    }

    private static Jedis jedis() {
        return new Jedis(address.getHostString(), address.getPort(), 10_000);
    }

    /** Opens a client on every event loop, so that every shared backend connection exists before a test counts. */
    private static void warmUpEveryEventLoop() {
        for (int i = 0; i < 4 * WORKERS; i++) {
            try (Jedis jedis = jedis()) {
                jedis.get("warm-up");
            }
        }
    }

    /** Connections of {@code redis-server}'s {@code CLIENT LIST}, less the one asking. */
    private static long backendConnections() {
        try (Jedis direct = redis.client()) {
            String self = "id=" + direct.clientId() + " ";
            return direct.clientList()
                    .lines()
                    .filter(line -> !line.startsWith(self))
                    .count();
        }
    }

    private static long medianGetMicros(Jedis client, int samples) {
        long[] micros = new long[samples];
        for (int i = 0; i < samples; i++) {
            long at = System.nanoTime();
            client.get("observer:" + i);
            micros[i] = TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - at);
        }
        Arrays.sort(micros);
        return micros[samples / 2];
    }

    private static Socket connect() {
        Socket socket = new Socket();
        try {
            socket.setReceiveBufferSize(16 * 1024);
            socket.connect(address, 10_000);
            socket.setSoTimeout(30_000);
            socket.setTcpNoDelay(true);
            return socket;
        } catch (IOException e) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // Already failing.
            }
            throw new UncheckedIOException("cannot connect to " + address, e);
        }
    }

    private static Void write(Socket socket, byte[] bytes) {
        try {
            socket.getOutputStream().write(bytes);
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String readExactly(Socket socket, int length) {
        try {
            InputStream in = socket.getInputStream();
            byte[] bytes = in.readNBytes(length);
            return new String(bytes, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void closeAll(List<Socket> sockets) {
        for (Socket socket : sockets) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // Leaving is the point.
            }
        }
    }
}
