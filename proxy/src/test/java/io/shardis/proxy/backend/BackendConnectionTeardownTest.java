package io.shardis.proxy.backend;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import io.shardis.proxy.config.ConfigException;
import io.shardis.proxy.config.PoolConfig;
import io.shardis.proxy.config.ShardisConfig;
import io.shardis.proxy.metrics.PoolMetrics;
import io.shardis.proxy.metrics.ShardisMetrics;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * A backend connection's life driven through EmbeddedChannels: whatever ends a channel, every
 * command queued on it gets exactly one reply (an error), none is lost, and the next command opens
 * a fresh channel whose replies are matched to the right commands. Runs under the paranoid leak
 * detector: every buffer has its owner on every path.
 */
class BackendConnectionTeardownTest {

    private static final int COMMANDS = 50;

    /** Owns the event loop the connection schedules its flushes and timeouts on. */
    private EmbeddedChannel loopOwner;
    /** The backend channels the connection opened, oldest first. */
    private final List<EmbeddedChannel> opened = new ArrayList<>();

    private ShardisMetrics process;

    @BeforeEach
    void setUp() {
        loopOwner = new EmbeddedChannel();
    }

    @AfterEach
    void tearDown() {
        for (EmbeddedChannel channel : opened) {
            channel.finishAndReleaseAll();
        }
        loopOwner.finishAndReleaseAll();
    }

    @Test
    void aConnectionClosedByTheServerAnswersEveryCommandInFlightOnceAndTheNextCommandReconnects() {
        BackendConnection connection = connection(0);
        Recorder sink = new Recorder();
        List<PendingCommand> sent = sendGets(connection, sink, COMMANDS);
        assertThat(connection.state()).isEqualTo(BackendConnection.State.READY);
        reply(0, "+first\r\n");
        assertThat(sink.replies(sent.get(0))).containsExactly("+first");

        opened.get(0).close();

        assertEachAnsweredOnceWithAnError(sink, sent.subList(1, sent.size()), "closed the connection");
        assertThat(connection.inFlight()).isZero();
        assertThat(connection.state()).isEqualTo(BackendConnection.State.IDLE);
        assertThat(process.registry()
                        .getCounters((name, metric) -> name.endsWith(".out_queue"))
                        .values())
                .isNotEmpty()
                .allSatisfy(counter -> assertThat(counter.getCount()).isZero());

        // The next command opens a fresh channel, and that channel's first reply is its own.
        PendingCommand next = sendGets(connection, sink, 1).get(0);
        assertThat(opened).hasSize(2);
        reply(1, "$5\r\nfresh\r\n");
        assertThat(sink.replies(next)).containsExactly("$5\r\nfresh");
        assertThat(sink.total()).isEqualTo(COMMANDS + 1);
    }

    @Test
    void aDecoderThatCannotAllocateClosesTheConnectionAndStrandsNothing() {
        BackendConnection connection = connection(0);
        Recorder sink = new Recorder();
        List<PendingCommand> sent = sendGets(connection, sink, COMMANDS);

        // What Netty raises when a reply cannot be accumulated: direct memory is exhausted.
        opened.get(0)
                .pipeline()
                .fireExceptionCaught(new DecoderException(
                        new OutOfMemoryError("Cannot reserve 131072 bytes of direct buffer memory")));

        assertEachAnsweredOnceWithAnError(sink, sent, "direct buffer memory");
        assertThat(opened.get(0).isOpen()).isFalse();
        assertThat(connection.inFlight()).isZero();
        PendingCommand next = sendGets(connection, sink, 1).get(0);
        reply(1, "+OK\r\n");
        assertThat(sink.replies(next)).containsExactly("+OK");
    }

    @Test
    void aClientWhoseReplyCannotBeAllocatedIsDroppedAndTheOthersOnTheConnectionAreServed() {
        BackendConnection connection = connection(0);
        Recorder healthy = new Recorder();
        Recorder starved = new Recorder();
        starved.failDeliveries = true;
        PendingCommand first = sendGets(connection, healthy, 1).get(0);
        PendingCommand lost = sendGets(connection, starved, 1).get(0);
        PendingCommand third = sendGets(connection, healthy, 1).get(0);

        reply(0, "+one\r\n+two\r\n+three\r\n");

        assertThat(healthy.replies(first)).containsExactly("+one");
        assertThat(healthy.replies(third)).containsExactly("+three");
        assertThat(starved.deliveryFailures).isEqualTo(1);
        assertThat(starved.replies(lost)).isEmpty();
        assertThat(connection.state()).isEqualTo(BackendConnection.State.READY);
        assertThat(opened.get(0).isOpen()).isTrue();
        assertThat(connection.inFlight()).isZero();
    }

    @Test
    void aFailureAnsweringOneStrandedCommandKeepsNoOtherFromItsError() {
        BackendConnection connection = connection(0);
        Recorder healthy = new Recorder();
        Recorder starved = new Recorder();
        starved.failDeliveries = true;
        List<PendingCommand> sent = new ArrayList<>();
        for (int i = 0; i < COMMANDS; i++) {
            sent.addAll(sendGets(connection, i % 5 == 0 ? starved : healthy, 1));
        }

        opened.get(0).close();

        List<PendingCommand> healthyOnes =
                sent.stream().filter(c -> c.sink() == healthy).toList();
        assertEachAnsweredOnceWithAnError(healthy, healthyOnes, "closed the connection");
        assertThat(starved.deliveryFailures).isEqualTo(COMMANDS / 5);
        assertThat(connection.inFlight()).isZero();
        PendingCommand next = sendGets(connection, healthy, 1).get(0);
        reply(1, "+OK\r\n");
        assertThat(healthy.replies(next)).containsExactly("+OK");
    }

    @Test
    void aTimeoutFailsEveryCommandInFlightOnceAndLateRepliesReachNoOne() {
        BackendConnection connection = connection(100);
        Recorder sink = new Recorder();
        List<PendingCommand> sent = sendGets(connection, sink, COMMANDS);

        loopOwner.advanceTimeBy(150, TimeUnit.MILLISECONDS);
        loopOwner.runScheduledPendingTasks();

        assertEachAnsweredOnceWithAnError(sink, sent, "timed out after 100 ms");
        assertThat(opened.get(0).isOpen()).isFalse();
        assertThat(connection.state()).isEqualTo(BackendConnection.State.IDLE);
        PendingCommand next = sendGets(connection, sink, 1).get(0);
        reply(1, "+OK\r\n");
        assertThat(sink.replies(next)).containsExactly("+OK");
        assertThat(sink.total()).isEqualTo(COMMANDS + 1);
    }

    @Test
    void aConnectionClosedForGoodFailsWhatIsQueuedAndRefusesWhatComesAfter() {
        BackendConnection connection = connection(0);
        Recorder sink = new Recorder();
        List<PendingCommand> sent = sendGets(connection, sink, COMMANDS);

        connection.close();
        assertEachAnsweredOnceWithAnError(sink, sent, "closed the connection");
        PendingCommand after = sendGets(connection, sink, 1).get(0);
        assertThat(sink.replies(after)).singleElement().asString().contains("connection closed");
        assertThat(opened).hasSize(1);
        assertThat(connection.state()).isEqualTo(BackendConnection.State.CLOSED);
    }

    /**
     * While Sentinel still names a replica, every command tries a new channel (one per retry
     * delay) and ROLE refuses each: the client hears why each time, the log once, and again only
     * after a channel was usable in between.
     */
    @Test
    void aServerThatSaysItIsNoMasterIsLoggedOnceWhileItStaysOne() {
        ListAppender<ILoggingEvent> logged = new ListAppender<>();
        Logger log = (Logger) LoggerFactory.getLogger(BackendConnection.class);
        logged.start();
        log.addAppender(logged);
        try {
            BackendConnection connection = connection(0, true);
            Recorder sink = new Recorder();
            for (int attempt = 0; attempt < 3; attempt++) {
                if (attempt > 0) {
                    // Past the pause after a refused setup, so the next command tries a new channel.
                    LockSupport.parkNanos(BackendSettings.RETRY_DELAY_NANOS + TimeUnit.MILLISECONDS.toNanos(50));
                }
                PendingCommand get = sendGets(connection, sink, 1).get(0);
                assertThat(opened).hasSize(attempt + 1);
                reply(attempt, REPLICA_ROLE);
                assertEachAnsweredOnceWithAnError(sink, List.of(get), "is not a master (ROLE)");
            }
            assertThat(warnings(logged, "is not a master (ROLE)"))
                    .as("warnings for three refusals in a row")
                    .hasSize(1);

            // A master this time: the channel is used; once it ends, a replica is worth a warning again.
            LockSupport.parkNanos(BackendSettings.RETRY_DELAY_NANOS + TimeUnit.MILLISECONDS.toNanos(50));
            PendingCommand served = sendGets(connection, sink, 1).get(0);
            reply(3, "*3\r\n$6\r\nmaster\r\n:0\r\n*0\r\n+served\r\n");
            assertThat(sink.replies(served)).containsExactly("+served");
            opened.get(3).close();
            PendingCommand refused = sendGets(connection, sink, 1).get(0);
            reply(4, REPLICA_ROLE);
            assertEachAnsweredOnceWithAnError(sink, List.of(refused), "is not a master (ROLE)");
            assertThat(warnings(logged, "is not a master (ROLE)")).hasSize(2);
        } finally {
            log.detachAppender(logged);
        }
    }

    private static final String REPLICA_ROLE =
            "*5\r\n$5\r\nslave\r\n$9\r\n127.0.0.1\r\n:6380\r\n$9\r\nconnected\r\n:0\r\n";

    private static List<String> warnings(ListAppender<ILoggingEvent> logged, String text) {
        return logged.list.stream()
                .filter(event -> event.getLevel() == Level.WARN)
                .map(ILoggingEvent::getFormattedMessage)
                .filter(message -> message.contains(text))
                .toList();
    }

    private void assertEachAnsweredOnceWithAnError(Recorder sink, List<PendingCommand> commands, String reason) {
        for (PendingCommand command : commands) {
            assertThat(sink.replies(command))
                    .as("replies to one command")
                    .singleElement()
                    .asString()
                    .startsWith("-ERR Shardis: pool 'alpha' backend")
                    .contains(reason);
        }
    }

    private BackendConnection connection(int timeoutMillis) {
        return connection(timeoutMillis, false);
    }

    /** {@code masterOnly}: each new channel asks ROLE first, as in a Sentinel-managed pool. */
    private BackendConnection connection(int timeoutMillis, boolean masterOnly) {
        ShardisConfig config;
        try {
            config = ShardisConfig.parse("""
                    alpha:
                      listen: 127.0.0.1:0
                      servers:
                        - 127.0.0.1:6379:1
                    """ + (timeoutMillis > 0 ? "  timeout: " + timeoutMillis + "\n" : ""), "test");
        } catch (ConfigException e) {
            throw new AssertionError(e);
        }
        PoolConfig pool = config.pools().get(0);
        process = ShardisMetrics.create(config, "test");
        PoolMetrics metrics = process.pool("alpha");
        BackendSettings settings = BackendSettings.of(
                        pool, pool.sharding().servers().get(0), new InetSocketAddress("127.0.0.1", 6379))
                .observedBy(BackendEvents.NONE, metrics.server(0), metrics);
        if (masterOnly) {
            settings = settings.requiringMaster();
        }
        BackendConnector connector = (handler, address) -> {
            EmbeddedChannel channel = new EmbeddedChannel(handler);
            opened.add(channel);
            return channel.newSucceededFuture();
        };
        return new BackendConnection(settings, loopOwner.eventLoop(), connector, null, null);
    }

    private List<PendingCommand> sendGets(BackendConnection connection, ReplySink sink, int count) {
        List<PendingCommand> sent = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            PendingCommand command = new PendingCommand(sink);
            connection.send(
                    Unpooled.copiedBuffer("*2\r\n$3\r\nGET\r\n$1\r\nk\r\n", StandardCharsets.US_ASCII), command);
            sent.add(command);
        }
        loopOwner.runPendingTasks();
        for (EmbeddedChannel channel : opened) {
            channel.releaseOutbound();
        }
        return sent;
    }

    /** The server of channel {@code index} sends {@code bytes}. */
    private void reply(int index, String bytes) {
        opened.get(index).writeInbound(Unpooled.copiedBuffer(bytes, StandardCharsets.US_ASCII));
    }

    /** A client: records each reply to each command; or one whose every delivery fails for want of memory. */
    private static final class Recorder implements ReplySink {
        final Map<PendingCommand, List<String>> replies = new IdentityHashMap<>();
        boolean failDeliveries;
        int deliveryFailures;

        @Override
        public void onReply(PendingCommand command, ByteBuf reply) {
            if (failDeliveries) {
                // As WriteCoalescer does when it cannot allocate: the reply is released, then the error thrown.
                reply.release();
                throw new OutOfMemoryError("Cannot reserve 65536 bytes of direct buffer memory");
            }
            replies.computeIfAbsent(command, c -> new ArrayList<>())
                    .add(reply.toString(StandardCharsets.UTF_8).trim());
            reply.release();
        }

        List<String> replies(PendingCommand command) {
            return replies.getOrDefault(command, List.of());
        }

        int total() {
            return replies.values().stream().mapToInt(List::size).sum();
        }

        @Override
        public void onDeliveryFailed(Throwable cause) {
            deliveryFailures++;
        }
    }
}
