package io.shardis.benchmarks;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.shardis.proxy.session.ClientSession;
import io.shardis.resp.RespRequestDecoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One forwarded command through the real path of a sharded pool of one server: the client's bytes
 * read (as a socket read would, from the default allocator) through the request decoder and the
 * client session to the backend connection's write, then the server's reply read on the backend
 * channel and written back to the client. Client and backend are EmbeddedChannels wired as in
 * production ({@link OneServerPool}); everything they write out is released here.
 *
 * <p>Scores are per command ({@code @OperationsPerInvocation}): run with {@code -prof gc} and read
 * {@code gc.alloc.rate.norm} for the heap a forwarded command costs. The benchmark runs on a
 * FastThreadLocalThread ({@link EventLoopThreads}), as the proxy's event loops do.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Djmh.executor=CUSTOM", "-Djmh.executor.class=io.shardis.benchmarks.EventLoopThreads"})
public class ForwardBenchmark {

    @Param({"GET", "SET"})
    public String command;

    /**
     * {@code sharded}: a sharded pool; {@code failover}: a Sentinel-managed one, whose commands
     * keep their frames to be sent again after a failover (as a cluster pool's do for MOVED/ASK).
     */
    @Param({"sharded", "failover"})
    public String pool;

    private OneServerPool servers;
    private EmbeddedChannel client;
    private EmbeddedChannel backend;
    private byte[] oneRequest;
    private byte[] oneReply;
    private byte[] sixteenRequests;
    private byte[] sixteenReplies;
    private int replyBytes;

    @Setup(Level.Trial)
    public void setUp() {
        servers = new OneServerPool(pool.equals("failover"));
        client = new EmbeddedChannel(new RespRequestDecoder(), new ClientSession(servers));
        byte[] value = new byte[64];
        java.util.Arrays.fill(value, (byte) 'v');
        String bulk = "$64\r\n" + new String(value, StandardCharsets.US_ASCII) + "\r\n";
        String request = command.equals("GET")
                ? "*2\r\n$3\r\nGET\r\n$8\r\nkey:0001\r\n"
                : "*3\r\n$3\r\nSET\r\n$8\r\nkey:0001\r\n" + bulk;
        String reply = command.equals("GET") ? bulk : "+OK\r\n";
        oneRequest = ascii(request, 1);
        oneReply = ascii(reply, 1);
        sixteenRequests = ascii(request, 16);
        sixteenReplies = ascii(reply, 16);
        replyBytes = oneReply.length;
        // The first command opens the backend connection; what it sends on set-up is answered here.
        forward(oneRequest, oneReply, 1);
        backend = servers.backend();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        client.close();
        client.runPendingTasks();
        drain(client);
        servers.close();
        client.finishAndReleaseAll();
    }

    /** One command in one read, its reply in one read: pipeline 1. */
    @Benchmark
    public int pipelineOne() {
        return forward(oneRequest, oneReply, 1);
    }

    /** Sixteen commands in one read, their replies in one read: pipeline 16; scores per command. */
    @Benchmark
    @OperationsPerInvocation(16)
    public int pipelineSixteen() {
        return forward(sixteenRequests, sixteenReplies, 16);
    }

    private int forward(byte[] requests, byte[] replies, int count) {
        client.pipeline().fireChannelRead(read(requests));
        client.pipeline().fireChannelReadComplete();
        client.runPendingTasks();
        EmbeddedChannel server = backend != null ? backend : servers.backend();
        server.runPendingTasks();
        int sent = drain(server);
        if (sent != requests.length && backend != null) {
            throw new IllegalStateException("the server was sent " + sent + " bytes");
        }
        server.pipeline().fireChannelRead(read(replies));
        server.pipeline().fireChannelReadComplete();
        server.runPendingTasks();
        client.runPendingTasks();
        client.flush();
        int received = drain(client);
        if (received != replyBytes * count) {
            throw new IllegalStateException("the client received " + received + " bytes");
        }
        return received;
    }

    /** A copy of {@code bytes} in a buffer of the default allocator, as a socket read hands it on. */
    private static ByteBuf read(byte[] bytes) {
        return ByteBufAllocator.DEFAULT.ioBuffer(bytes.length).writeBytes(bytes);
    }

    /** Releases what {@code channel} wrote, returning its bytes. */
    static int drain(EmbeddedChannel channel) {
        int bytes = 0;
        for (Object out; (out = channel.readOutbound()) != null; ) {
            ByteBuf buf = (ByteBuf) out;
            bytes += buf.readableBytes();
            buf.release();
        }
        return bytes;
    }

    private static byte[] ascii(String text, int times) {
        return text.repeat(times).getBytes(StandardCharsets.US_ASCII);
    }
}
